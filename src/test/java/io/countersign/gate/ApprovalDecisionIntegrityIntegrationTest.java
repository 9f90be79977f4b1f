package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.TestIdentities;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The attacks on the decision itself, played through the channels a co-approver has: engine-rest, the Tasklist
 * webapp's own API (session and CSRF token), and our decision API. Each asserts what a user cares about: the
 * credential did not change, the response ended as the completer decided, and the ledger says what was ignored.
 */
@HttpIntegrationTest
class ApprovalDecisionIntegrityIntegrationTest {

	/** A second platform owner, so that two eligible approvers can race for the last place of a quorum. */
	private static final String PIA = "pia";

	/** A second agent reviewer. */
	private static final String RAY = "ray";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	IdentityService identityService;

	ApiClient api;

	final String identity = "svc-integrity-" + UUID.randomUUID();

	final String credential = "key-integrity-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		TestIdentities.user(this.identityService, PIA, "platform-owners");
		TestIdentities.user(this.identityService, RAY, "agent-reviewers");
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "payments-team", "environment", "production", "privileges", List.of("repo:write"),
						"credentials", List.of(Map.of("id", this.credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 " + this.credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@Test
	void shouldIgnoreDecisionPlantedByCoApproverWhenRejectingViaApi() {
		String id = rotationAwaitingSecondApproval();
		String task = gateTask(id);

		// The co-approver who already approved may not write the next decision for paul.
		assertThat(plant("bob", task, "decision", "APPROVE").status()).isEqualTo(403);
		// Only an administrator still can; what they plant is ignored.
		plantDecisionAsAdmin(task, id);

		Reply rejected = this.api.post("paul", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "REJECT", "reason", "Consumers are not ready", "fingerprint", fingerprint(id)));
		assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);

		assertRejectedByPaulWithCredentialUnchanged(id);
	}

	@Test
	void shouldIgnoreDecisionPlantedByCoApproverWhenRejectingViaEngineRestComplete() {
		String id = rotationAwaitingSecondApproval();
		String task = gateTask(id);
		assertThat(plant("bob", task, "approvedFingerprint", fingerprint(id)).status()).isEqualTo(403);
		plantDecisionAsAdmin(task, id);

		Reply rejected = this.api.post("paul", engineRest("/task/" + task + "/complete"),
				Map.of("variables", Map.of("decision", Map.of("value", "REJECT"), "reason",
						Map.of("value", "Consumers are not ready"))));
		assertThat(rejected.status()).as(rejected.toString()).isEqualTo(204);

		assertRejectedByPaulWithCredentialUnchanged(id);
	}

	@Test
	void shouldRefuseCoApproverPlantingDecisionThroughTasklistWebappApi() throws Exception {
		String id = rotationAwaitingSecondApproval();
		String task = gateTask(id);
		Webapp bob = Webapp.login(this.port, this.processEngine.getName(), "bob");

		HttpResponse<String> planted = bob.put("/camunda/api/engine/engine/" + this.processEngine.getName()
				+ "/task/" + task + "/localVariables/decision", "{\"value\":\"APPROVE\",\"type\":\"String\"}");
		HttpResponse<String> modified = bob.post("/camunda/api/engine/engine/" + this.processEngine.getName()
				+ "/task/" + task + "/localVariables", "{\"modifications\":{\"decision\":{\"value\":\"APPROVE\"}}}");

		// Refused by the engine's authorization (no UPDATE on the task), not by the webapp's CSRF filter.
		assertThat(planted.statusCode()).as(planted.body()).isEqualTo(403);
		assertThat(planted.body()).contains("AuthorizationException");
		assertThat(modified.statusCode()).as(modified.body()).isEqualTo(403);
		assertThat(modified.body()).contains("AuthorizationException");
		Reply variables = this.api.get("admin", engineRest("/task/" + task + "/localVariables"));
		// Only the task list's display columns, which the gate wrote when it created the task.
		assertThat(variables.json().fieldNames()).toIterable().as(variables.toString())
			.containsExactlyInAnyOrder("severity", "environment", "identity");

		// paul, in Tasklist, loads the form and rejects through submit-form: the webapp's channel.
		Webapp paul = Webapp.login(this.port, this.processEngine.getName(), "paul");
		HttpResponse<String> submitted = paul.post("/camunda/api/engine/engine/" + this.processEngine.getName()
				+ "/task/" + task + "/submit-form", "{\"variables\":{\"decision\":{\"value\":\"REJECT\"},"
						+ "\"reason\":{\"value\":\"Not before the release\"}}}");
		assertThat(submitted.statusCode()).as(submitted.body()).isIn(200, 204);
		JsonNode done = this.api.awaitResponseStatus("scanner", id, "REJECTED");
		assertThat(done.path("decisions").findValuesAsText("decision")).containsExactly("APPROVE", "REJECT");
		assertThat(currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldShowStoredActionToSecondApproverWhenFirstRewritesDisplayVariables() {
		String id = rotationAwaitingSecondApproval();
		String task = gateTask(id);
		String gateInstance = this.api.get("admin", engineRest("/task/" + task)).json().path("processInstanceId")
			.asText();
		String fake = "{\"type\":\"credential.rotate\",\"target\":\"harmless-test-key\",\"parameters\":{}}";

		assertThat(this.api.put("bob", engineRest("/process-instance/" + gateInstance + "/variables/stagedAction"),
				Map.of("value", fake, "type", "String")).status()).isEqualTo(403);
		// An administrator can still rewrite the variables; the form does not read them.
		for (String scope : List.of("/process-instance/" + gateInstance + "/variables/", "/task/" + task
				+ "/localVariables/")) {
			assertThat(this.api.put("admin", engineRest(scope + "stagedAction"), Map.of("value", fake, "type",
					"String")).status()).isEqualTo(204);
			assertThat(this.api.put("admin", engineRest(scope + "actionFingerprint"),
					Map.of("value", StagedAction.sha256(fake), "type", "String")).status()).isEqualTo(204);
			assertThat(this.api.put("admin", engineRest(scope + "blastRadius"),
					Map.of("value", "nobody uses this key", "type", "String")).status()).isEqualTo(204);
		}

		JsonNode form = this.api.get("paul", engineRest("/task/" + task + "/form-variables")).json();
		String stored = fingerprint(id);
		assertThat(form.path("actionFingerprint").path("value").asText()).isEqualTo(stored);
		assertThat(form.path("stagedAction").path("value").asText()).contains(this.credential)
			.doesNotContain("harmless-test-key");
		assertThat(form.path("blastRadius").path("value").asText()).doesNotContain("nobody uses this key");

		// What the form computes approvedFingerprint from is the stored fingerprint, so approving works...
		Reply approved = this.api.post("paul", engineRest("/task/" + task + "/submit-form"),
				Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason",
						Map.of("value", "Checked the staged action"), "approvedFingerprint",
						Map.of("value", form.path("actionFingerprint").path("value").asText()))));
		assertThat(approved.status()).as(approved.toString()).isIn(200, 204);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(currentVersion()).isEqualTo(2);
	}

	@Test
	void shouldRefuseApprovalOfSpoofedFingerprintAfterDisplayRewrite() {
		String id = rotationAwaitingSecondApproval();
		String task = gateTask(id);
		String fake = StagedAction.sha256("{\"type\":\"credential.rotate\",\"target\":\"harmless-test-key\"}");
		assertThat(this.api.put("admin", engineRest("/task/" + task + "/localVariables/actionFingerprint"),
				Map.of("value", fake, "type", "String")).status()).isEqualTo(204);

		Reply approved = this.api.post("paul", engineRest("/task/" + task + "/submit-form"),
				Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason",
						Map.of("value", "Looks harmless"), "approvedFingerprint", Map.of("value", fake))));

		assertThat(approved.status()).isEqualTo(400);
		assertThat(approved.body()).contains("'fingerprint-match'");
		assertThat(currentVersion()).isEqualTo(1);
		assertThat(ledger(id)).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("REFUSED");
			assertThat(entry.path("actor").asText()).isEqualTo("paul");
		});
	}

	@Test
	void shouldIgnoreApprovalPlantedByCoReviewerWhenDenyingAgentToolCall() {
		Reply asked = this.api.post("research-bot", "/api/v1/agent-actions",
				"{\"agent\":\"research-bot\",\"tool\":\"payments.refund\",\"arguments\":{\"orderId\":\"ORD-9\","
						+ "\"amount\":25},\"purpose\":\"Refund a duplicate charge\",\"scope\":\"refunds:write\","
						+ "\"durationSeconds\":900}");
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		String id = asked.json().path("id").asText();
		String task = this.api.get("erin", engineRest("/task?processInstanceBusinessKey=" + id)).json().get(0)
			.path("id").asText();

		assertThat(plant(RAY, task, "decision", "APPROVE").status()).isEqualTo(403);
		assertThat(plant(RAY, task, "standingGrant", "TOOL").status()).isEqualTo(403);
		for (Map.Entry<String, String> planted : Map.of("decision", "APPROVE", "reason", "fine by me",
				"standingGrant", "TOOL").entrySet()) {
			assertThat(plant("admin", task, planted.getKey(), planted.getValue()).status()).isEqualTo(204);
		}
		assertThat(this.api.put("admin", engineRest("/task/" + task + "/localVariables/grantDays"),
				Map.of("value", 30, "type", "Integer")).status()).isEqualTo(204);

		Reply denied = this.api.post("erin", engineRest("/task/" + task + "/complete"),
				Map.of("variables", Map.of("decision", Map.of("value", "DENY"), "reason",
						Map.of("value", "No refunds without a ticket"))));
		assertThat(denied.status()).as(denied.toString()).isEqualTo(204);

		JsonNode action = this.api.get("research-bot", "/api/v1/agent-actions/" + id).json();
		assertThat(action.path("status").asText()).isEqualTo("DENIED");
		assertThat(action.at("/decision/reviewer").asText()).isEqualTo("erin");
		assertThat(action.path("receipt").isMissingNode() || action.path("receipt").isNull()).isTrue();
		JsonNode grants = this.api.get("erin", "/api/v1/agent-grants?active=true").json();
		assertThat(grants.findValuesAsText("createdBy")).doesNotContain("erin");
		assertThat(ledger(id)).anySatisfy(entry -> assertThat(entry.path("type").asText()).isEqualTo("PLANTED_IGNORED"));
	}

	@Test
	void shouldNotLetApproversOrIntegratorsReadOtherProcessesVariables() {
		Reply asked = this.api.post("research-bot", "/api/v1/agent-actions",
				"{\"agent\":\"research-bot\",\"tool\":\"crm.export\",\"arguments\":{\"customer\":\"ACME-secret-deal\"},"
						+ "\"purpose\":\"Export\",\"scope\":\"crm:read\",\"durationSeconds\":300}");
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		rotationAwaitingSecondApproval();

		for (String user : List.of("scanner", "alice", "bob", "carol", "dave", "erin")) {
			for (String path : List.of("/history/variable-instance", "/variable-instance", "/process-instance",
					"/history/process-instance", "/history/detail")) {
				Reply reply = this.api.get(user, engineRest(path));
				assertThat(reply.status()).as(user + " " + path + ": " + reply).isIn(200, 403);
				// Task variables of a user's own approval tasks are readable through the task; nothing else is.
				assertThat(reply.body()).as(user + " " + path).doesNotContain("ACME-secret-deal");
				if (reply.status() == 200 && !path.equals("/variable-instance")) {
					assertThat(reply.json().size()).as(user + " " + path + ": " + reply).isZero();
				}
				if (reply.status() == 200 && path.equals("/variable-instance")) {
					assertThat(reply.json().findValuesAsText("taskId")).as(user + " " + path).doesNotContain("null");
					reply.json().forEach(variable -> assertThat(variable.path("taskId").isNull()).isFalse());
				}
			}
		}
		// The reviewer still sees the request on the task's form: that is what the task grants.
		String task = this.api.get("erin", engineRest("/task?processInstanceBusinessKey=" + asked.json().path("id")
			.asText())).json().get(0).path("id").asText();
		JsonNode form = this.api.get("erin", engineRest("/task/" + task + "/form-variables")).json();
		assertThat(form.path("argumentsDisplay").path("value").asText()).contains("ACME-secret-deal");
		assertThat(this.api.get("bob", engineRest("/task/" + task + "/form-variables")).status()).isIn(403, 404);
	}

	@Test
	void shouldAnswerTheLoserOfTwoConcurrentDecisionsWithConflict() throws Exception {
		race(false);
	}

	@Test
	void shouldAnswerTheLoserOfTwoConcurrentEngineRestCompletionsWithConflict() throws Exception {
		race(true);
	}

	private void race(boolean engineRest) {
		for (int round = 0; round < 5; round++) {
			String id = rotationAwaitingSecondApproval();
			String fingerprint = fingerprint(id);
			String task = gateTask(id);
			CountDownLatch start = new CountDownLatch(1);
			List<CompletableFuture<Reply>> racers = new ArrayList<>();
			for (String[] racer : List.of(new String[] { "paul", "APPROVE" }, new String[] { PIA, "REJECT" })) {
				racers.add(CompletableFuture.supplyAsync(() -> {
					await(start);
					if (engineRest) {
						return this.api.post(racer[0], engineRest("/task/" + task + "/complete"),
								Map.of("variables", Map.of("decision", Map.of("value", racer[1]), "reason",
										Map.of("value", "racing " + racer[1]), "approvedFingerprint",
										Map.of("value", fingerprint))));
					}
					return this.api.post(racer[0], "/api/v1/responses/" + id + "/decision",
							Map.of("decision", racer[1], "reason", "racing " + racer[1], "fingerprint", fingerprint));
				}));
			}
			start.countDown();
			List<Reply> replies = racers.stream().map(CompletableFuture::join).toList();
			int won = engineRest ? 204 : 200;
			assertThat(replies).allSatisfy(reply -> assertThat(reply.status()).as(reply.toString()).isIn(won, 409));
			assertThat(replies).filteredOn(reply -> reply.status() == won).hasSize(1);
			Reply loser = replies.stream().filter(reply -> reply.status() == 409).findFirst().orElseThrow();
			assertThat(loser.contentType()).startsWith("application/problem+json");
			JsonNode decided = this.api.get("scanner", "/api/v1/responses/" + id).json();
			assertThat(decided.path("decisions")).hasSize(2);
			// The next round's detection must start a response of its own, not join this one.
			awaitFinal(id);
		}
	}

	private String rotationAwaitingSecondApproval() {
		Reply started = this.api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "secret-rotation", "identity", this.identity, "credential", this.credential,
						"summary", "Key seen in a public gist", "source", "gist-scanner", "severity", "critical",
						"environment", "production", "evidence", Map.of("url", "https://gist.example/1")));
		assertThat(started.status()).as(started.toString()).isIn(200, 202);
		String id = started.json().path("id").asText();
		this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		Reply first = this.api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Consumers are ready", "fingerprint", fingerprint(id)));
		assertThat(first.status()).as(first.toString()).isEqualTo(200);
		return id;
	}

	private void awaitFinal(String id) {
		org.awaitility.Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(30))
			.until(() -> List.of("COMPLETED", "REJECTED")
				.contains(this.api.get("scanner", "/api/v1/responses/" + id).json().path("status").asText()));
	}

	private void plantDecisionAsAdmin(String task, String id) {
		assertThat(plant("admin", task, "decision", "APPROVE").status()).isEqualTo(204);
		assertThat(plant("admin", task, "reason", "planted by a co-approver").status()).isEqualTo(204);
		assertThat(plant("admin", task, "approvedFingerprint", fingerprint(id)).status()).isEqualTo(204);
	}

	private void assertRejectedByPaulWithCredentialUnchanged(String id) {
		JsonNode done = this.api.awaitResponseStatus("scanner", id, "REJECTED");
		JsonNode paul = done.path("decisions").get(1);
		assertThat(paul.path("approver").asText()).isEqualTo("paul");
		assertThat(paul.path("decision").asText()).isEqualTo("REJECT");
		assertThat(paul.path("reason").asText()).isEqualTo("Consumers are not ready");
		assertThat(currentVersion()).isEqualTo(1);
		assertThat(ledger(id)).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("PLANTED_IGNORED");
			assertThat(entry.path("actor").asText()).isEqualTo("paul");
		});
		assertThat(ledger(id)).noneSatisfy(entry -> assertThat(entry.path("type").asText()).isEqualTo("APPLIED"));
	}

	private Reply plant(String user, String task, String name, String value) {
		return this.api.put(user, engineRest("/task/" + task + "/localVariables/" + name),
				Map.of("value", value, "type", "String"));
	}

	private String gateTask(String id) {
		Reply tasks = this.api.get("paul", engineRest("/task?processInstanceBusinessKey=" + id));
		assertThat(tasks.json()).as(tasks.toString()).hasSize(1);
		return tasks.json().get(0).path("id").asText();
	}

	private String fingerprint(String id) {
		return this.api.get("scanner", "/api/v1/responses/" + id).json().path("stagedAction").path("fingerprint")
			.asText();
	}

	private int currentVersion() {
		return this.api.get("scanner", "/api/v1/identities/" + this.identity).json().path("credentials").get(0)
			.path("currentVersion").asInt();
	}

	private List<JsonNode> ledger(String id) {
		Reply reply = this.api.get("audrey", "/api/v1/audit?response=" + id);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return ApiClient.jsonLines(reply);
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}


	/** A browser session in the Camunda webapps: the session cookie and the CSRF token every write must carry. */
	private record Webapp(HttpClient http, String base, String xsrfToken) {

		static Webapp login(int port, String engine, String user) throws Exception {
			CookieManager cookies = new CookieManager();
			HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
			String base = "http://localhost:" + port;
			http.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/" + engine + "/")).GET().build(),
					BodyHandlers.ofString());
			HttpResponse<String> login = http.send(HttpRequest
				.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/" + engine + "/login/tasklist"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.header("X-XSRF-TOKEN", ApiClient.xsrfToken(cookies))
				.POST(BodyPublishers.ofString("username=" + user + "&password=" + user))
				.build(), BodyHandlers.ofString());
			assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
			// The login starts a new session, whose CSRF token the next page load hands out, as in a browser.
			http.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/" + engine + "/")).GET().build(),
					BodyHandlers.ofString());
			return new Webapp(http, base, ApiClient.xsrfToken(cookies));
		}

		HttpResponse<String> put(String path, String body) throws Exception {
			return send("PUT", path, body);
		}

		HttpResponse<String> post(String path, String body) throws Exception {
			return send("POST", path, body);
		}

		private HttpResponse<String> send(String method, String path, String body) throws Exception {
			return this.http.send(HttpRequest.newBuilder(URI.create(this.base + path))
				.header("Content-Type", "application/json")
				.header("X-XSRF-TOKEN", this.xsrfToken)
				.method(method, BodyPublishers.ofString(body))
				.build(), BodyHandlers.ofString());
		}

	}

}
