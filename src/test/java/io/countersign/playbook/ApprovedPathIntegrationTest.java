package io.countersign.playbook;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Undo and apply only through the approved path, played over HTTP as {@code admin} with full engine-rest rights: a
 * process started or modified at an arbitrary activity, a deleted gate, a postponed expiry. What an integrator
 * reads back ({@code GET /api/v1/identities/{id}}, the response's status, its ledger) shows nothing changed that
 * nobody approved, and a status that tells the truth.
 */
@HttpIntegrationTest
@TestPropertySource(properties = "countersign.approval.expiry-sweep-interval=PT1S")
class ApprovedPathIntegrationTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	JdbcClient jdbc;

	ApiClient api;

	final String identity = "svc-undo-" + UUID.randomUUID();

	final String token = "token-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-it", "environment", "staging", "credentials", List.of(Map.of("id", this.token,
						"kind", "ACCESS_TOKEN", "fingerprint", StagedAction.sha256("v1 " + this.token)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@Test
	void shouldRefuseAdminRestoringTheLeakedVersionByStartingGuardedActionAtRollBackAfterARotation() {
		String id = start("secret-rotation");
		decide("bob", id, "APPROVE", 200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(2);

		Reply started = this.api.post("admin", engineRest("/process-definition/key/guarded-action/start"),
				Map.of("businessKey", id, "skipCustomListeners", true, "skipIoMappings", true, "variables",
						Map.of("actionPurpose", Map.of("value", "apply", "type", "String")), "startInstructions",
						List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_RollBackAction"))));
		assertThat(started.status()).as(started.toString()).isEqualTo(200);

		JsonNode blocked = awaitLedger(id, "BLOCKED");
		assertThat(blocked.path("detail").asText()).contains("ROLLBACK").contains("COMPLETED");
		JsonNode credential = credential();
		assertThat(credential.path("currentVersion").asInt()).isEqualTo(2);
		assertThat(version(credential, 1).path("status").asText()).isEqualTo("RETIRED");
		assertThat(response(id).path("status").asText()).isEqualTo("COMPLETED");
		assertThat(ledger(id)).extracting(entry -> entry.path("type").asText()).doesNotContain("RESTORED");
	}

	@Test
	void shouldRefuseAdminReopeningACompletedResponseByStartingSecretRotationAtItsStagingStep() {
		String id = start("secret-rotation");
		decide("bob", id, "APPROVE", 200);
		JsonNode completed = this.api.awaitResponseStatus("scanner", id, "COMPLETED");

		Reply started = this.api.post("admin", engineRest("/process-definition/key/secret-rotation/start"),
				Map.of("businessKey", id, "variables", Map.of("identity", Map.of("value", this.identity, "type", "String"),
						"credential", Map.of("value", this.token, "type", "String")),
						"startInstructions",
						List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_StageRotation"))));
		assertThat(started.status()).as(started.toString()).isEqualTo(200);

		assertThat(awaitLedger(id, "BLOCKED").path("detail").asText()).contains("STAGE of apply refused");
		JsonNode response = response(id);
		assertThat(response.path("status").asText()).isEqualTo("COMPLETED");
		assertThat(response.path("stagedAction")).isEqualTo(completed.path("stagedAction"));
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(2);
	}

	@Test
	void shouldRefuseAdminReEnablingARevokedCredentialByStartingGuardedActionAtRollBack() {
		String id = start("credential-revocation");
		decide("alice", id, "APPROVE", 200);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(credential().path("status").asText()).isEqualTo("DISABLED");

		Reply started = this.api.post("admin", engineRest("/process-definition/key/guarded-action/start"),
				Map.of("businessKey", id, "variables", Map.of("actionPurpose", Map.of("value", "apply", "type", "String")),
						"startInstructions",
						List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_RollBackAction"))));
		assertThat(started.status()).as(started.toString()).isEqualTo(200);

		assertThat(awaitLedger(id, "BLOCKED").path("detail").asText()).contains("ROLLBACK of apply refused");
		assertThat(credential().path("status").asText()).isEqualTo("DISABLED");
		assertThat(response(id).path("status").asText()).isEqualTo("APPLIED");
	}

	@Test
	void shouldRefuseAdminRestoringARevokedCredentialByStartingGuardedActionAtApplyWithoutAnApprovedRestore() {
		String id = start("credential-revocation");
		decide("alice", id, "APPROVE", 200);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");

		Reply started = this.api.post("admin", engineRest("/process-definition/key/guarded-action/start"),
				Map.of("businessKey", id, "skipCustomListeners", true, "variables",
						Map.of("actionPurpose", Map.of("value", "restore", "type", "String")), "startInstructions",
						List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_ApplyAction"))));
		assertThat(started.status()).as(started.toString()).isEqualTo(200);

		assertThat(awaitLedger(id, "BLOCKED").path("detail").asText()).contains("APPLY of restore refused");
		assertThat(credential().path("status").asText()).isEqualTo("DISABLED");
		assertThat(response(id).path("status").asText()).isEqualTo("APPLIED");
	}

	@Test
	void shouldNotApplyWhenAdminReachesApplyBesideTheOpenGateAndApplyOnlyOnceAfterTheApproval() {
		String id = start("secret-rotation");
		String fingerprint = awaitApprovalTask(id);
		String guarded = instance("guarded-action", id).getId();

		// Apply reached beside the waiting gate: the guard finds no approval and blocks it; nothing changes.
		Reply modified = this.api.post("admin", engineRest("/process-instance/" + guarded + "/modification"),
				Map.of("instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_ApplyAction"))));
		assertThat(modified.status()).as(modified.toString()).isEqualTo(204);
		assertThat(awaitLedger(id, "BLOCKED").path("detail").asText()).contains("is OPEN");
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(1);
		assertThat(response(id).path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(approvalTask(id)).as("the gate's task is still open").isNotNull();

		// The approver's decision is what applies the action, once.
		decide("bob", id, "APPROVE", 200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(fingerprint).isEqualTo(response(id).path("stagedAction").path("fingerprint").asText());

		// Once more, straight to apply of a completed response: the state machine refuses.
		Reply again = this.api.post("admin", engineRest("/process-definition/key/guarded-action/start"),
				Map.of("businessKey", id, "skipCustomListeners", true, "variables",
						Map.of("actionPurpose", Map.of("value", "apply", "type", "String")), "startInstructions",
						List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_ApplyAction"))));
		assertThat(again.status()).as(again.toString()).isEqualTo(200);
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ledger(id).stream()
			.anyMatch(entry -> entry.path("detail").asText().startsWith("APPLY of apply refused")));

		JsonNode credential = credential();
		assertThat(credential.path("currentVersion").asInt()).isEqualTo(2);
		assertThat(credential.path("versions")).hasSize(2);
		assertThat(response(id).path("status").asText()).isEqualTo("COMPLETED");
		assertThat(ledger(id)).extracting(entry -> entry.path("type").asText())
			.filteredOn("APPLIED"::equals)
			.hasSize(1);
	}

	@Test
	void shouldRefuseAdminCompletingAnUnapprovedResponseByStartingSecretRotationAtItsCompletedEnd() {
		String id = start("secret-rotation");
		awaitApprovalTask(id);

		Reply started = this.api.post("admin", engineRest("/process-definition/key/secret-rotation/start"),
				Map.of("businessKey", id, "startInstructions",
						List.of(Map.of("type", "startBeforeActivity", "activityId", "EndEvent_RotationCompleted"))));
		assertThat(started.status()).as(started.toString()).isEqualTo(403);

		assertThat(awaitLedger(id, "BLOCKED").path("detail").asText()).contains("Outcome COMPLETED refused");
		assertThat(response(id).path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(1);
	}

	@Test
	void shouldCancelTheResponseAndCloseItsRequestWhenAdminDeletesTheGateInstance() {
		shouldCancelWhenTheGateIsDeleted("");
	}

	@Test
	void shouldCancelTheResponseAndCloseItsRequestWhenAdminDeletesTheGateInstanceSkippingCustomListeners() {
		shouldCancelWhenTheGateIsDeleted("?skipCustomListeners=true&skipIoMappings=true");
	}

	private void shouldCancelWhenTheGateIsDeleted(String query) {
		String id = start("secret-rotation");
		String fingerprint = awaitApprovalTask(id);
		String gate = instance("approval-gate", id).getId();

		Reply deleted = this.api.send("admin", "DELETE", engineRest("/process-instance/" + gate + query), null, Map.of());
		assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);

		JsonNode response = this.api.awaitResponseStatus("scanner", id, "CANCELLED");
		assertThat(response.path("approvals").get(0).path("status").asText()).isEqualTo("CANCELLED");
		assertThat(ledger(id)).extracting(entry -> entry.path("type").asText())
			.containsSubsequence("STAGED", "POLICY_EVALUATED", "CANCELLED", "APPROVAL_CANCELLED");
		assertThat(approvalTask(id)).isNull();
		Reply approved = this.api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Rotate it", "fingerprint", fingerprint));
		assertThat(approved.status()).as(approved.toString()).isBetween(400, 499);
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(1);
	}

	@Test
	void shouldLedgerTimerChangesAndRefuseApprovalAfterThePolicyDeadlineWhenAdminPostponesExpiry() {
		String id = start("secret-rotation");
		String fingerprint = awaitApprovalTask(id);
		String expiry = expiryJob(instance("approval-gate", id).getId());

		assertThat(this.api.put("admin", engineRest("/job/" + expiry + "/duedate"),
				Map.of("duedate", "2099-01-01T00:00:00.000+0000")).status()).isEqualTo(204);
		assertThat(this.api.put("admin", engineRest("/job/" + expiry + "/suspended"), Map.of("suspended", true))
			.status()).isEqualTo(204);
		assertThat(this.api.put("admin", engineRest("/job/" + expiry + "/retries"), Map.of("retries", 7)).status())
			.isEqualTo(204);
		List<JsonNode> changes = ledger(id).stream()
			.filter(entry -> entry.path("type").asText().equals("JOB_CHANGED"))
			.toList();
		assertThat(changes).extracting(entry -> entry.path("actor").asText()).containsOnly("admin");
		assertThat(changes).extracting(entry -> entry.path("data").path("operation").asText())
			.contains("SetDueDate", "SuspendJob", "SetJobRetries");
		assertThat(changes).allSatisfy(entry -> assertThat(entry.path("data").path("activity").asText())
			.isEqualTo("BoundaryEvent_ApprovalExpired"));

		policyPeriodHasPassed(id);

		// The refusal and the sweep race to close the request: the decision is refused past the deadline (403), or
		// loses to the sweep that expired it at the same moment (409). Either way nobody decides after the deadline.
		Reply approved = this.api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Rotate it", "fingerprint", fingerprint));
		assertThat(approved.status()).as(approved.toString()).isIn(403, 409);
		if (approved.status() == 403) {
			assertThat(approved.json().path("detail").asText()).contains("request-open")
				.containsIgnoringCase("expired");
			assertThat(ledger(id)).extracting(entry -> entry.path("type").asText()).contains("REFUSED");
		}

		// The sweep brings the suspended, postponed timer back: the gate ends EXPIRED as the policy says.
		JsonNode response = this.api.awaitResponseStatus("scanner", id, "EXPIRED");
		assertThat(response.path("approvals").get(0).path("status").asText()).isEqualTo("EXPIRED");
		assertThat(response.path("decisions")).isEmpty();
		assertThat(ledger(id)).extracting(entry -> entry.path("type").asText())
			.contains("JOB_CHANGED", "EXPIRED")
			.doesNotContain("DECIDED", "QUORUM_REACHED", "APPLIED");
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(1);
	}

	@Test
	void shouldExpireTheResponseAtThePolicyDeadlineWhenAdminSuspendsTheExpiryTimer() {
		String id = start("secret-rotation");
		awaitApprovalTask(id);
		String expiry = expiryJob(instance("approval-gate", id).getId());
		assertThat(this.api.put("admin", engineRest("/job/" + expiry + "/suspended"), Map.of("suspended", true))
			.status()).isEqualTo(204);
		assertThat(this.api.put("admin", engineRest("/job/" + expiry + "/duedate"),
				Map.of("duedate", "2099-01-01T00:00:00.000+0000")).status()).isEqualTo(204);

		policyPeriodHasPassed(id);

		JsonNode response = this.api.awaitResponseStatus("scanner", id, "EXPIRED");
		assertThat(response.path("approvals").get(0).path("status").asText()).isEqualTo("EXPIRED");
		JsonNode expired = ledger(id).stream()
			.filter(entry -> entry.path("type").asText().equals("EXPIRED"))
			.findFirst()
			.orElseThrow();
		assertThat(expired.path("detail").asText()).contains("though its timer had not fired");
		assertThat(approvalTask(id)).isNull();
		assertThat(credential().path("currentVersion").asInt()).isEqualTo(1);
	}

	/** The policy's period has passed, as the request's own creation time in our table says. */
	private void policyPeriodHasPassed(String id) {
		String expireAfter = this.jdbc.sql("select expire_after from approval_request where response_id = ?")
			.param(id)
			.query(String.class)
			.single();
		this.jdbc.sql("update approval_request set created_at = ? where response_id = ?")
			.params(Timestamp.from(Instant.now().minus(Duration.parse(expireAfter)).minusSeconds(300)), id)
			.update();
	}

	private String expiryJob(String gate) {
		JsonNode jobs = this.api.get("admin", engineRest("/job?timers=true&processInstanceId=" + gate)).json();
		for (JsonNode job : jobs) {
			JsonNode definition = this.api.get("admin", engineRest("/job-definition/" + job.path("jobDefinitionId").asText()))
				.json();
			if ("BoundaryEvent_ApprovalExpired".equals(definition.path("activityId").asText())) {
				return job.path("id").asText();
			}
		}
		throw new AssertionError("no expiry timer in " + jobs);
	}

	@Test
	void shouldLedgerAdminSuspendingTheGateExpiryTimerDefinition() {
		JsonNode definitions = this.api
			.get("admin", engineRest("/job-definition?processDefinitionKey=approval-gate&activityIdIn=BoundaryEvent_ApprovalExpired"))
			.json();
		assertThat(definitions.size()).isPositive();
		String definition = definitions.get(0).path("id").asText();
		try {
			assertThat(this.api.put("admin", engineRest("/job-definition/" + definition + "/suspended"),
					Map.of("suspended", true, "includeJobs", false)).status()).isEqualTo(204);
			List<JsonNode> all = jsonLines(this.api.get("audrey", "/api/v1/audit?after=0&limit=5000"));
			assertThat(all).anySatisfy(entry -> {
				assertThat(entry.path("type").asText()).isEqualTo("JOB_CHANGED");
				assertThat(entry.path("actor").asText()).isEqualTo("admin");
				assertThat(entry.path("data").path("jobDefinitionId").asText()).isEqualTo(definition);
				assertThat(entry.path("data").path("operation").asText()).isEqualTo("SuspendJobDefinition");
			});
		}
		finally {
			this.api.put("admin", engineRest("/job-definition/" + definition + "/suspended"),
					Map.of("suspended", false, "includeJobs", false));
		}
	}

	private String start(String playbook) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", playbook);
		body.put("identity", this.identity);
		body.put("credential", this.token);
		body.put("summary", "Attack test of " + playbook);
		body.put("source", "integration-test");
		body.put("severity", "high");
		body.put("environment", "staging");
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	/** Waits for the gate's task and answers the staged action's fingerprint. */
	private String awaitApprovalTask(String id) {
		JsonNode response = this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> approvalTask(id) != null);
		return response.path("stagedAction").path("fingerprint").asText();
	}

	private void decide(String user, String id, String decision, int expected) {
		String fingerprint = awaitApprovalTask(id);
		Reply decided = this.api.post(user, "/api/v1/responses/" + id + "/decision",
				Map.of("decision", decision, "reason", "Checked the blast radius", "fingerprint", fingerprint));
		assertThat(decided.status()).as(decided.toString()).isEqualTo(expected);
	}

	private Task approvalTask(String id) {
		return this.processEngine.getTaskService()
			.createTaskQuery()
			.processInstanceBusinessKey(id)
			.taskDefinitionKey("Task_Approve")
			.singleResult();
	}

	private ProcessInstance instance(String key, String id) {
		return this.processEngine.getRuntimeService()
			.createProcessInstanceQuery()
			.processDefinitionKey(key)
			.processInstanceBusinessKey(id)
			.singleResult();
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

	private JsonNode response(String id) {
		Reply reply = this.api.get("scanner", "/api/v1/responses/" + id);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	private JsonNode credential() {
		Reply reply = this.api.get("scanner", "/api/v1/identities/" + this.identity);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json().path("credentials").get(0);
	}

	private static JsonNode version(JsonNode credential, int number) {
		for (JsonNode version : credential.path("versions")) {
			if (version.path("version").asInt() == number) {
				return version;
			}
		}
		throw new AssertionError("no version " + number + " in " + credential);
	}

	private JsonNode awaitLedger(String id, String type) {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> ledger(id).stream().filter(entry -> entry.path("type").asText().equals(type)).findFirst(),
					java.util.Optional::isPresent)
			.orElseThrow();
	}

	private List<JsonNode> ledger(String id) {
		return jsonLines(this.api.get("audrey", "/api/v1/audit?response=" + id));
	}

	private static List<JsonNode> jsonLines(Reply reply) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return Arrays.stream(reply.body().split("\n")).filter(line -> !line.isBlank()).map(line -> {
			try {
				return MAPPER.readTree(line);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}).toList();
	}

}
