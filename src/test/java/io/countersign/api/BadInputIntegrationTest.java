package io.countersign.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile and broken input to every {@code /api/v1} endpoint, each sent as the role that may call it: every answer is
 * a 4xx problem+json (never a 5xx), and a refused request leaves every stored row as it was. The named cases are the
 * ones a fault campaign found answered 500 or silently accepted; the corpus generates the rest from valid bodies.
 */
@HttpIntegrationTest
class BadInputIntegrationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	/** Ours, and the engine's runtime state a request could create. */
	private static final List<String> ENGINE_TABLES = List.of("ACT_RU_EXECUTION", "ACT_RU_TASK", "ACT_RU_VARIABLE");

	@LocalServerPort
	int port;

	@Autowired
	DataSource dataSource;

	ApiClient api;

	JdbcTemplate jdbc;

	final String identity = "svc-bad-input-" + UUID.randomUUID();

	final String credential = "key-bad-input-" + UUID.randomUUID();

	String responseId;

	String agentActionId;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		this.jdbc = new JdbcTemplate(this.dataSource);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity, identityBody(this.credential));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Reply started = this.api.post("scanner", "/api/v1/responses", responseBody());
		assertThat(started.status()).as(started.toString()).isIn(200, 202);
		this.responseId = started.json().path("id").asText();
		this.api.awaitResponseStatus("scanner", this.responseId, "AWAITING_APPROVAL");
		Reply asked = this.api.post("research-bot", "/api/v1/agent-actions", agentBody());
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		this.agentActionId = asked.json().path("id").asText();
	}

	@Test
	void shouldRefuseKeyRepeatedAfterLastFieldOfResponseRequest() {
		String body = json(responseBody()).replaceFirst("}$", ",\"evidence\":{\"url\":\"https://elsewhere\"}}");
		refused("scanner", "POST", "/api/v1/responses", body, 400);
	}

	@Test
	void shouldRefuseWildcardContentTypes() {
		for (String type : List.of("*/*", "application/*", "text/*", "*/json", "not a type", "text/plain")) {
			Reply reply = refused("scanner", "POST", "/api/v1/responses", json(responseBody()), type, 415);
			assertThat(reply.body()).as(type).contains("Content-Type");
		}
	}

	@Test
	void shouldRefuseNullBodyToAgentActions() {
		for (String body : List.of("null", "[]", "\"x\"", "42", "true")) {
			refused("research-bot", "POST", "/api/v1/agent-actions", body, 400);
		}
	}

	@Test
	void shouldRefuseLoneSurrogateInAgentPurpose() {
		for (String surrogate : List.of("\\ud800", "\\udc00", "x\\ud83d", "\\ude00x")) {
			String body = json(agentBody()).replace("\"purpose\":\"Refund a duplicate charge\"",
					"\"purpose\":\"" + surrogate + "\"");
			assertThat(body).contains(surrogate);
			Reply reply = refused("research-bot", "POST", "/api/v1/agent-actions", body, 400);
			assertThat(reply.body()).contains("purpose");
		}
	}

	@Test
	void shouldAnswerConflictWhenUpsertClaimsCredentialOfAnotherIdentity() {
		refused("scanner", "PUT", "/api/v1/identities/svc-thief-" + UUID.randomUUID(), json(identityBody(this.credential)),
				409);
		assertThat(this.api.get("scanner", "/api/v1/identities/" + this.identity).json().path("credentials").get(0)
			.path("id").asText()).isEqualTo(this.credential);
	}

	@Test
	void shouldRefuseNulInEveryTextFieldAndQueryParameter() {
		for (String field : List.of("summary", "source", "playbook", "identity", "credential")) {
			refused("scanner", "POST", "/api/v1/responses", withText(responseBody(), field, "a\u0000b"), 400);
		}
		ObjectNode evidence = (ObjectNode) JSON.valueToTree(responseBody());
		evidence.putObject("evidence").put("note\u0000", "x");
		refused("scanner", "POST", "/api/v1/responses", evidence.toString(), 400);
		for (String field : List.of("owner", "description")) {
			refused("scanner", "PUT", "/api/v1/identities/" + this.identity, withText(identityBody(this.credential),
					field, "a\u0000b"), 400);
		}
		String identityJson = json(identityBody(this.credential));
		for (String planted : List.of(identityJson.replace("\"repo:write\"", "\"repo:\\u0000write\""),
				identityJson.replace("\"deploy-pipeline\"", "\"deploy\\u0000pipeline\""),
				identityJson.replace("\"createdBy\":\"mallory\"", "\"createdBy\":\"mal\\u0000lory\""))) {
			assertThat(planted).contains("\\u0000");
			refused("scanner", "PUT", "/api/v1/identities/" + this.identity, planted, 400);
		}
		for (String field : List.of("purpose", "tool", "scope", "agent")) {
			refused("research-bot", "POST", "/api/v1/agent-actions", withText(agentBody(), field, "a\u0000b"), 400);
		}
		ObjectNode arguments = (ObjectNode) JSON.valueToTree(agentBody());
		arguments.putObject("arguments").put("orderId", "ORD\u00001");
		refused("research-bot", "POST", "/api/v1/agent-actions", arguments.toString(), 400);
		refused("bob", "POST", "/api/v1/responses/" + this.responseId + "/decision",
				json(Map.of("decision", "REJECT", "reason", "no\u0000pe")), 400);
		refused("erin", "POST", "/api/v1/agent-actions/" + this.agentActionId + "/revocation",
				json(Map.of("reason", "no\u0000pe")), 400);
		refused("audrey", "GET", "/api/v1/audit?response=" + this.responseId + "%00", null, 400);
		refused("scanner", "GET", "/api/v1/responses?playbook=secret%00rotation", null, 400);
		refused("scanner", "GET", "/api/v1/responses?status=APPLIED%00", null, 400);
		refused("erin", "DELETE", "/api/v1/agent-grants/" + UUID.randomUUID() + "?reason=a%00b", null, 400);
	}

	@Test
	void shouldRefuseTrailingGarbageAndCoercedIntegers() {
		for (String tail : List.of("NaN", "{}", "{\"summary\":\"again\"}", "]", "x")) {
			refused("scanner", "POST", "/api/v1/responses", json(responseBody()) + tail, 400);
			refused("research-bot", "POST", "/api/v1/agent-actions", json(agentBody()) + tail, 400);
		}
		String agent = json(agentBody());
		for (String duration : List.of("\"900\"", "1.5", "900.0", "true", "1e3")) {
			refused("research-bot", "POST", "/api/v1/agent-actions",
					agent.replace("\"durationSeconds\":900", "\"durationSeconds\":" + duration), 400);
		}
		refused("scanner", "PUT", "/api/v1/identities/" + this.identity,
				json(identityBody(this.credential)).replace("\"customerFacing\":false", "\"customerFacing\":\"false\""),
				400);
	}

	/** Every field of every body replaced by values of the wrong type, shape or content; every whole body mangled. */
	@Test
	void shouldAnswerGeneratedCorpusWithProblemsAndStoreNothing() {
		String deep = "[".repeat(5000) + "]".repeat(5000);
		List<String> values = List.of("12345", "-1", "1.5", "true", "[]", "{}", "[1,{\"a\":[null]}]", "\"\"",
				"\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"" + "x".repeat(5000) + "\"",
				"\"" + "\u00e9\uD83D\uDE00\u202e".repeat(2000) + "\"", "\"\u0001\u001f\u007f\uFEFF\uFFFF\"", deep,
				"\"" + "\\u0000".repeat(100) + "\"", "\"9" + "9".repeat(400) + "\"", "9" + "9".repeat(400));
		Map<String, Object[]> endpoints = new LinkedHashMap<>();
		endpoints.put("/api/v1/responses", new Object[] { "scanner", "POST", responseBody() });
		endpoints.put("/api/v1/identities/" + this.identity, new Object[] { "scanner", "PUT",
				identityBody(this.credential) });
		endpoints.put("/api/v1/agent-actions", new Object[] { "research-bot", "POST", agentBody() });
		endpoints.put("/api/v1/agent-actions/" + this.agentActionId + "/revocation",
				new Object[] { "erin", "POST", Map.of("reason", "ended") });
		endpoints.put("/api/v1/agent-actions/" + this.agentActionId + "/uses",
				new Object[] { "tool-server", "POST", Map.of("receipt", "eyJ.x.y", "tool", "payments.refund",
						"arguments", Map.of("orderId", "ORD-9"), "singleUse", true) });
		endpoints.put("/api/v1/responses/" + this.responseId + "/decision", new Object[] { "bob", "POST",
				Map.of("decision", "REJECT", "reason", "corpus", "narrowedTo", List.of("a"), "monitorFor", "P1D",
						"confirmations", Map.of("ticket", "T-1")) });
		int sent = 0;
		for (Map.Entry<String, Object[]> endpoint : endpoints.entrySet()) {
			String user = (String) endpoint.getValue()[0];
			String method = (String) endpoint.getValue()[1];
			ObjectNode base = (ObjectNode) JSON.valueToTree(endpoint.getValue()[2]);
			List<String> bodies = new ArrayList<>(List.of("", " ", "null", "[]", "{", "}", "{\"a\":", deep,
					"{\"" + "k".repeat(100_000) + "\":1}", "\u0000", "{}", base + base.toString(), base + "//x",
					base.toString().replace(":", ": :"), "'single':'quotes'", "{\"__proto__\":{}}"));
			for (String field : iterable(base.fieldNames())) {
				for (String value : values) {
					ObjectNode mutated = base.deepCopy();
					mutated.remove(field);
					String text = mutated.toString();
					bodies.add(text.substring(0, text.length() - 1) + (mutated.isEmpty() ? "" : ",") + "\"" + field
							+ "\":" + value + "}");
				}
			}
			for (String body : bodies) {
				sendCorpus(user, method, endpoint.getKey(), body, "application/json");
				sent++;
			}
			for (String type : List.of("*/*", "application/*", "text/*", "application/xml", "text/plain",
					"multipart/form-data", "application/x-www-form-urlencoded", "application/json; charset=latin-7",
					";;;", "application/json, text/plain")) {
				sendCorpus(user, method, endpoint.getKey(), base.toString(), type);
				sent++;
			}
		}
		List<String[]> queries = List.of(new String[] { "scanner", "GET", "/api/v1/responses?status=" },
				new String[] { "scanner", "GET", "/api/v1/responses?playbook=" },
				new String[] { "scanner", "GET", "/api/v1/responses?page=" },
				new String[] { "scanner", "GET", "/api/v1/responses?size=" },
				new String[] { "audrey", "GET", "/api/v1/audit?response=" },
				new String[] { "erin", "GET", "/api/v1/agent-grants?active=" },
				new String[] { "research-bot", "GET", "/api/v1/agent-actions/" + this.agentActionId + "?waitSeconds=" },
				new String[] { "erin", "DELETE", "/api/v1/agent-grants/" + UUID.randomUUID() + "?reason=" });
		for (String[] query : queries) {
			for (String value : List.of("%00", "%25", "%2500", "%ED%A0%80", "%FF%FE", "x".repeat(5000), "-1",
					"99999999999999999999", "1.5", "%E2%80%AE", "a&b=c", "%C0%80")) {
				sendCorpus(query[0], query[1], query[2] + value, null, null);
				sent++;
			}
		}
		for (String path : List.of("/api/v1/responses/%00", "/api/v1/responses/" + "x".repeat(3000),
				"/api/v1/identities/%E2%80%AE", "/api/v1/agent-actions/%ED%A0%80", "/api/v1/agent-grants/%25",
				"/api/v1/identities/..%2F..%2Fetc")) {
			sendCorpus("scanner", "GET", path, null, null);
			sent++;
		}
		assertThat(sent).isGreaterThan(500);
	}

	private void sendCorpus(String user, String method, String path, String body, String contentType) {
		Map<String, Long> before = storedRows();
		Reply reply = send(user, method, path, body, contentType);
		String what = method + " " + path + " as " + user + " [" + contentType + "] "
				+ (body == null ? "" : body.substring(0, Math.min(body.length(), 200))) + " -> " + reply.status() + " "
				+ reply.body().substring(0, Math.min(reply.body().length(), 300));
		assertThat(reply.status()).as(what).isLessThan(500);
		if (reply.status() >= 400) {
			assertThat(reply.contentType()).as(what).startsWith("application/problem+json");
			Map<String, Long> after = storedRows();
			if (reply.json().path("title").asText().equals("Tool call refused")
					|| reply.json().path("detail").asText().startsWith("Refused by rule")) {
				// A well-formed decision or use report that a rule refuses is audited on purpose (REFUSED in the
				// ledger, nothing else); malformed input never gets that far.
				before.remove("LEDGER_ENTRY");
				after.remove("LEDGER_ENTRY");
			}
			assertThat(after).as(what).isEqualTo(before);
		}
	}

	private Reply refused(String user, String method, String path, String body, int status) {
		return refused(user, method, path, body, "application/json", status);
	}

	private Reply refused(String user, String method, String path, String body, String contentType, int status) {
		Map<String, Long> before = storedRows();
		Reply reply = send(user, method, path, body, contentType);
		String what = method + " " + path + " " + (body == null ? "" : body.substring(0, Math.min(200, body.length())));
		assertThat(reply.status()).as(what + " -> " + reply).isEqualTo(status);
		assertThat(reply.contentType()).as(what + " -> " + reply).startsWith("application/problem+json");
		assertThat(reply.json().path("status").asInt()).isEqualTo(status);
		assertThat(storedRows()).as(what).isEqualTo(before);
		return reply;
	}

	private Reply send(String user, String method, String path, String body, String contentType) {
		Map<String, String> headers = contentType == null ? Map.of() : Map.of("Content-Type", contentType);
		if (body == null) {
			return this.api.send(user, method, path, null, headers);
		}
		// The client adds application/json to any body; a second header would make the type ambiguous.
		try {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
				.timeout(Duration.ofSeconds(30))
				.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
				.header("Authorization", "Basic " + Base64.getEncoder()
					.encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
			if (contentType != null) {
				request.header("Content-Type", contentType);
			}
			HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Row counts of our tables and of the engine's runtime tables a request could write to. */
	private Map<String, Long> storedRows() {
		Map<String, Long> counts = new TreeMap<>();
		for (String table : this.jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE"
				+ " upper(table_schema) = 'PUBLIC' AND table_type = 'BASE TABLE'", String.class)) {
			String upper = table.toUpperCase();
			if ((!upper.startsWith("ACT_") && !upper.startsWith("COUNTERSIGN_SCHEMA")) || ENGINE_TABLES.contains(upper)) {
				counts.put(upper, this.jdbc.queryForObject("SELECT count(*) FROM \"" + table + "\"", Long.class));
			}
		}
		assertThat(counts).containsKeys("LEDGER_ENTRY", "ACT_RU_TASK");
		return counts;
	}

	private Map<String, Object> identityBody(String credentialId) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("owner", "payments-team");
		body.put("description", "Bad input target");
		body.put("environment", "production");
		body.put("privileges", List.of("repo:write"));
		body.put("consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", false)));
		body.put("credentials", List.of(Map.of("id", credentialId, "kind", "API_KEY", "fingerprint",
				StagedAction.sha256("v1 " + credentialId), "createdBy", "mallory")));
		return body;
	}

	private Map<String, Object> responseBody() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", this.identity);
		body.put("credential", this.credential);
		body.put("summary", "Key seen in a public gist");
		body.put("source", "gist-scanner");
		body.put("severity", "high");
		body.put("environment", "production");
		body.put("evidence", Map.of("url", "https://gist.example/1"));
		return body;
	}

	private static Map<String, Object> agentBody() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("agent", "research-bot");
		body.put("tool", "payments.refund");
		body.put("arguments", Map.of("orderId", "ORD-9", "amount", 25));
		body.put("purpose", "Refund a duplicate charge");
		body.put("scope", "refunds:write");
		body.put("durationSeconds", 900);
		return body;
	}

	private static String withText(Map<String, Object> body, String field, String value) {
		ObjectNode node = (ObjectNode) JSON.valueToTree(body);
		node.put(field, value);
		return node.toString();
	}

	private static String json(Object body) {
		try {
			return JSON.writeValueAsString(body);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
		List<T> list = new ArrayList<>();
		iterator.forEachRemaining(list::add);
		return list;
	}

}
