package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.ApiClient.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The ledger over HTTP, with the job executor running: {@code scanner} starts a secret rotation, readers export its
 * entries, {@code audrey} pages through and verifies the whole ledger.
 */
@HttpIntegrationTest
class AuditApiIntegrationTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	@LocalServerPort
	int port;

	ApiClient api;

	final String identity = "svc-audit-" + UUID.randomUUID();

	final String credential = "token-audit-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-audit", "environment", "production", "credentials", List.of(Map.of("id",
						this.credential, "kind", "ACCESS_TOKEN", "fingerprint", StagedAction.sha256("v1")))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@Test
	void shouldExportAResponsesEntriesAsVerifiableJsonLines() {
		String id = startRotation();
		JsonNode staged = this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");

		Reply export = this.api.get("scanner", "/api/v1/audit?response=" + id);

		assertThat(export.status()).as(export.toString()).isEqualTo(200);
		assertThat(export.contentType()).startsWith("application/x-ndjson");
		List<JsonNode> entries = lines(export.body());
		assertThat(entries).extracting(entry -> entry.path("type").asText())
			.containsSubsequence("REQUESTED", "STAGED", "TASK_CREATED");
		assertThat(entries).allSatisfy(entry -> {
			assertThat(entry.path("responseId").asText()).isEqualTo(id);
			assertThat(entry.has("actor")).as("nulls are exported, they are hashed too").isTrue();
			assertThat(entry.path("hash").asText()).isEqualTo(hashOfLineWithoutHash(entry));
		});
		assertThat(entries.get(0).path("actor").asText()).isEqualTo("scanner");
		String fingerprint = staged.path("stagedAction").path("fingerprint").asText();
		assertThat(entries).filteredOn(entry -> entry.path("type").asText().equals("STAGED"))
			.singleElement()
			.satisfies(entry -> assertThat(entry.path("data").path("fingerprint").asText()).isEqualTo(fingerprint));
		// The timeline is the same ledger.
		JsonNode timeline = this.api.get("scanner", "/api/v1/responses/" + id).json().path("timeline");
		assertThat(timeline.get(0).path("seq").asLong()).isEqualTo(entries.get(0).path("seq").asLong());
		assertThat(timeline.get(0).path("hash").asText()).isEqualTo(entries.get(0).path("hash").asText());

		assertThat(this.api.get("bob", "/api/v1/audit?response=" + id).status()).isEqualTo(200);
		assertThat(this.api.get("audrey", "/api/v1/audit?response=" + id).status()).isEqualTo(200);
		assertThat(this.api.get(null, "/api/v1/audit?response=" + id).status()).isEqualTo(401);
	}

	@Test
	void shouldAnswerNotFoundForAnUnknownResponse() {
		Reply unknown = this.api.get("scanner", "/api/v1/audit?response=" + UUID.randomUUID());

		assertProblem(unknown, 404);
	}

	@Test
	void shouldLetAuditorsPageThroughAndVerifyTheWholeLedger() {
		String id = startRotation();
		this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");

		HttpResponse<String> first = send("audrey", "/api/v1/audit?after=0&limit=1");
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertThat(lines(first.body())).singleElement()
			.satisfies(entry -> assertThat(entry.path("seq").asLong()).isEqualTo(1));
		String next = first.headers().firstValue("Link").orElseThrow();
		assertThat(next).isEqualTo("</api/v1/audit?after=1&limit=1>; rel=\"next\"");
		HttpResponse<String> second = send("audrey", next.substring(1, next.indexOf('>')));
		assertThat(lines(second.body())).singleElement()
			.satisfies(entry -> assertThat(entry.path("seq").asLong()).isEqualTo(2));

		Reply all = this.api.get("audrey", "/api/v1/audit");
		List<JsonNode> entries = lines(all.body());
		for (int i = 1; i < entries.size(); i++) {
			assertThat(entries.get(i).path("prevHash").asText()).isEqualTo(entries.get(i - 1).path("hash").asText());
		}
		HttpResponse<String> last = send("audrey", "/api/v1/audit?after=" + (entries.size() - 1) + "&limit=5000");
		assertThat(last.headers().firstValue("Link")).isEmpty();

		Reply verify = this.api.get("audrey", "/api/v1/audit/verify");
		assertThat(verify.status()).as(verify.toString()).isEqualTo(200);
		assertThat(verify.json().path("ok").asBoolean()).isTrue();
		assertThat(verify.json().path("entries").asLong()).isGreaterThanOrEqualTo(entries.size());
		assertThat(verify.json().path("head").path("hash").asText()).matches("sha256:[0-9a-f]{64}");
		assertThat(verify.json().has("firstBroken")).isTrue();
		assertThat(verify.json().path("firstBroken").isNull()).isTrue();
		assertThat(this.api.get("admin", "/api/v1/audit/verify").status()).isEqualTo(200);
		assertThat(this.api.get("admin", "/api/v1/audit?limit=1").status()).isEqualTo(200);
	}

	@Test
	void shouldKeepTheWholeLedgerFromEveryoneButAdminsAndAuditors() {
		for (String user : List.of("scanner", "bob", "alice")) {
			assertProblem(this.api.get(user, "/api/v1/audit"), 403);
			assertProblem(this.api.get(user, "/api/v1/audit?after=0"), 403);
			assertProblem(this.api.get(user, "/api/v1/audit/verify"), 403);
		}
		// The weaker rule of ?response= does not open the paged export.
		assertProblem(this.api.get("scanner", "/api/v1/audit?response=x&after=0"), 400);
		assertProblem(this.api.get("audrey", "/api/v1/responses"), 403);
	}

	@Test
	void shouldRejectALimitOutOfRange() {
		for (String query : List.of("limit=0", "limit=5001", "limit=-1", "after=-1")) {
			Reply reply = this.api.get("audrey", "/api/v1/audit?" + query);
			assertProblem(reply, 400);
			assertThat(reply.json().path("field").asText()).as(query).isIn("limit", "after");
		}
		assertProblem(this.api.get("audrey", "/api/v1/audit?limit=many"), 400);
	}

	private String startRotation() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", this.identity);
		body.put("credential", this.credential);
		body.put("summary", "Token found in public repo");
		body.put("source", "github-secret-scanning");
		body.put("severity", "high");
		body.put("environment", "production");
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	/** What an auditor's own tool does: drop {@code hash}, canonicalize, SHA-256. */
	private static String hashOfLineWithoutHash(JsonNode entry) {
		ObjectNode withoutHash = entry.deepCopy();
		withoutHash.remove("hash");
		return StagedAction.sha256(CanonicalJson.write(withoutHash));
	}

	private static void assertProblem(Reply reply, int status) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
		assertThat(reply.contentType()).as(reply.toString()).startsWith("application/problem+json");
		assertThat(reply.json().path("status").asInt()).isEqualTo(status);
	}

	private static List<JsonNode> lines(String body) {
		return Arrays.stream(body.split("\n")).filter(line -> !line.isBlank()).map(line -> {
			try {
				return MAPPER.readTree(line);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).toList();
	}

	/** With the response headers, which {@link ApiClient} leaves out. */
	private HttpResponse<String> send(String user, String path) {
		try {
			return HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
					.header("Authorization",
							"Basic " + Base64.getEncoder()
								.encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)))
					.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
