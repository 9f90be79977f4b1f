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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
/**
 * What the bad-input tests share: a response awaiting approval and a pending agent action to aim at, each endpoint's
 * valid body to mutate, and the check that a refused request answered problem+json and left every stored row as it was.
 */
@HttpIntegrationTest
abstract class BadInputFixture {

	static final ObjectMapper JSON = new ObjectMapper();

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

	void sendCorpus(String user, String method, String path, String body, String contentType) {
		Map<String, Long> before = storedRows();
		Reply reply = send(user, method, path, body, contentType);
		String what = method + " " + path + " as " + user + " [" + contentType + "] "
				+ (body == null ? "" : body.substring(0, Math.min(body.length(), 200))) + " -> " + reply.status() + " "
				+ reply.body().substring(0, Math.min(reply.body().length(), 300));
		assertThat(reply.status()).as(what).isLessThan(500);
		if (reply.status() < 400) {
			settled();
		}
		if (reply.status() >= 400) {
			assertThat(reply.contentType()).as(what).startsWith("application/problem+json");
			Map<String, Long> after = storedRows();
			if (audited(reply, path)) {
				before.remove("LEDGER_ENTRY");
				after.remove("LEDGER_ENTRY");
			}
			assertThat(after).as(what).isEqualTo(before);
		}
	}

	/**
	 * Waits for the engine's due jobs to run: what an accepted request started may go on asynchronously (a rejected
	 * guarded action releases its containment in a job of its own, then the playbook ends), and the next request's
	 * comparison of stored rows must not see that.
	 */
	private void settled() {
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> this.jdbc.queryForObject(
				"SELECT count(*) FROM ACT_RU_JOB WHERE RETRIES_ > 0 AND (DUEDATE_ IS NULL OR DUEDATE_ <= ?)",
				Long.class, java.sql.Timestamp.from(java.time.Instant.now())) == 0);
	}

	Reply refused(String user, String method, String path, String body, int status) {
		return refused(user, method, path, body, "application/json", status);
	}

	Reply refused(String user, String method, String path, String body, String contentType, int status) {
		Map<String, Long> before = storedRows();
		Reply reply = send(user, method, path, body, contentType);
		String what = method + " " + path + " " + (body == null ? "" : body.substring(0, Math.min(200, body.length())));
		assertThat(reply.status()).as(what + " -> " + reply).isEqualTo(status);
		assertThat(reply.contentType()).as(what + " -> " + reply).startsWith("application/problem+json");
		assertThat(reply.json().path("status").asInt()).isEqualTo(status);
		Map<String, Long> after = storedRows();
		if (audited(reply, path)) {
			before.remove("LEDGER_ENTRY");
			after.remove("LEDGER_ENTRY");
		}
		assertThat(after).as(what).isEqualTo(before);
		return reply;
	}

	/**
	 * A well-formed decision, use report or inventory report that a rule refuses is audited on purpose (a refusal in
	 * the ledger, nothing else); malformed input never gets that far.
	 */
	private static boolean audited(Reply reply, String path) {
		return reply.json().path("title").asText().equals("Tool call refused")
				|| reply.json().path("detail").asText().startsWith("Refused by rule")
				|| (path.startsWith("/api/v1/identities/") && reply.json().hasNonNull("rule"));
	}

	Reply send(String user, String method, String path, String body, String contentType) {
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
	Map<String, Long> storedRows() {
		Map<String, Long> counts = new TreeMap<>();
		for (String table : this.jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE"
				+ " upper(table_schema) = 'PUBLIC' AND table_type = 'BASE TABLE'", String.class)) {
			String upper = table.toUpperCase();
			// Checkpoints are signed by a schedule of their own, whenever the ledger grew, not by any request.
			boolean scheduled = upper.equals("LEDGER_CHECKPOINT");
			if (!scheduled && ((!upper.startsWith("ACT_") && !upper.startsWith("COUNTERSIGN_SCHEMA"))
					|| ENGINE_TABLES.contains(upper))) {
				counts.put(upper, this.jdbc.queryForObject("SELECT count(*) FROM \"" + table + "\"", Long.class));
			}
		}
		assertThat(counts).containsKeys("LEDGER_ENTRY", "ACT_RU_TASK");
		return counts;
	}

	Map<String, Object> identityBody(String credentialId) {
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

	Map<String, Object> responseBody() {
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

	static Map<String, Object> agentBody() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("agent", "research-bot");
		body.put("tool", "payments.refund");
		body.put("arguments", Map.of("orderId", "ORD-9", "amount", 25));
		body.put("purpose", "Refund a duplicate charge");
		body.put("scope", "refunds:write");
		body.put("durationSeconds", 900);
		return body;
	}

	static String withText(Map<String, Object> body, String field, String value) {
		ObjectNode node = (ObjectNode) JSON.valueToTree(body);
		node.put(field, value);
		return node.toString();
	}

	static String json(Object body) {
		try {
			return JSON.writeValueAsString(body);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
		List<T> list = new ArrayList<>();
		iterator.forEachRemaining(list::add);
		return list;
	}

}
