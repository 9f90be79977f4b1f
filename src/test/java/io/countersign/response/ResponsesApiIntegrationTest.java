package io.countersign.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.ApiClient.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.camunda.bpm.engine.ProcessEngine;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The integrator ({@code scanner}) and the analyst ({@code bob}) over HTTP, with the job
 * executor running as in production: stage and apply happen asynchronously.
 */
@HttpIntegrationTest
class ResponsesApiIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	ApiClient api;

	final String identity = "svc-it-" + UUID.randomUUID();

	final String credential = "token-it-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity, Map.of("owner", "team-it",
				"description", "integration test identity", "environment", "production", "privileges",
				List.of("repo:write"), "consumers",
				List.of(Map.of("name", "deploy-pipeline", "customerFacing", false, "lastUsedAt", "2026-11-20T10:00:00Z")),
				"credentials", List.of(Map.of("id", this.credential, "kind", "ACCESS_TOKEN", "fingerprint",
						StagedAction.sha256("v1 " + this.credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	Map<String, Object> detection() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", this.identity);
		body.put("credential", this.credential);
		body.put("summary", "Token found in public repo");
		body.put("source", "github-secret-scanning");
		body.put("severity", "high");
		body.put("environment", "production");
		body.put("evidence", Map.of("repository", "acme/website", "path", "deploy.sh", "line", 12));
		return body;
	}

	String start() {
		Reply started = this.api.post("scanner", "/api/v1/responses", detection());
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		assertThat(started.json().path("status").asText()).isEqualTo("STAGING");
		assertThat(started.json().path("links").path("self").asText()).endsWith(started.json().path("id").asText());
		return started.json().path("id").asText();
	}

	JsonNode awaitStatus(String id, String status) {
		return this.api.awaitResponseStatus("scanner", id, status);
	}

	String openTaskId(String user, String responseId) {
		Reply tasks = this.api.get(user, engineRest() + "/task?processInstanceBusinessKey=" + responseId);
		assertThat(tasks.status()).as(tasks.toString()).isEqualTo(200);
		assertThat(tasks.json()).hasSize(1);
		return tasks.json().get(0).path("id").asText();
	}

	static Map<String, Object> variables(String decision, String reason, String fingerprint) {
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put("decision", Map.of("value", decision));
		variables.put("reason", Map.of("value", reason));
		if (fingerprint != null) {
			variables.put("approvedFingerprint", Map.of("value", fingerprint));
		}
		return Map.of("variables", variables);
	}

	@Test
	void shouldRotateTheCredentialWhenBobApprovesThroughEngineRest() {
		String id = start();
		JsonNode staged = awaitStatus(id, "AWAITING_APPROVAL");
		String fingerprint = staged.path("stagedAction").path("fingerprint").asText();
		assertThat(fingerprint).matches("sha256:[0-9a-f]{64}");
		assertThat(staged.path("requestedBy").asText()).isEqualTo("scanner");
		assertThat(staged.path("stagedAction").path("type").asText()).isEqualTo("credential.rotate");
		assertThat(staged.path("blastRadius").path("consumers").get(0).path("consumer").asText())
			.isEqualTo("deploy-pipeline");

		String taskId = openTaskId("bob", id);
		Reply formVariables = this.api.get("bob", engineRest() + "/task/" + taskId + "/form-variables");
		assertThat(formVariables.json().path("actionFingerprint").path("value").asText()).isEqualTo(fingerprint);

		Reply byIntegrator = this.api.post("scanner", engineRest() + "/task/" + taskId + "/complete",
				variables("APPROVE", "ok", fingerprint));
		assertThat(byIntegrator.status()).as(byIntegrator.toString()).isEqualTo(403);
		Reply byAdmin = this.api.post("admin", engineRest() + "/task/" + taskId + "/complete",
				variables("APPROVE", "ok", fingerprint));
		assertThat(byAdmin.status()).as(byAdmin.toString()).isEqualTo(403);
		assertThat(byAdmin.json().path("message").asText()).contains("candidate-group");
		Reply wrongFingerprint = this.api.post("bob", engineRest() + "/task/" + taskId + "/complete",
				variables("APPROVE", "ok", StagedAction.sha256("something else")));
		assertThat(wrongFingerprint.status()).as(wrongFingerprint.toString()).isEqualTo(400);
		assertThat(wrongFingerprint.json().path("message").asText()).contains("fingerprint-match");
		Reply noReason = this.api.post("bob", engineRest() + "/task/" + taskId + "/complete",
				variables("APPROVE", "", fingerprint));
		assertThat(noReason.status()).as(noReason.toString()).isEqualTo(400);
		assertThat(openTaskId("bob", id)).isEqualTo(taskId);

		// Tasklist submits Camunda Forms through submit-form.
		Reply approved = this.api.post("bob", engineRest() + "/task/" + taskId + "/submit-form",
				variables("APPROVE", "Pipeline owners confirmed the new token", fingerprint));
		assertThat(approved.status()).as(approved.toString()).isEqualTo(204);

		JsonNode done = awaitStatus(id, "COMPLETED");
		assertThat(done.path("decisions")).hasSize(1);
		assertThat(done.path("decisions").get(0).path("approver").asText()).isEqualTo("bob");
		assertThat(done.path("decisions").get(0).path("reason").asText())
			.isEqualTo("Pipeline owners confirmed the new token");
		assertThat(done.path("timeline").findValuesAsText("type")).containsSubsequence("REQUESTED", "STAGED",
				"DECIDED", "APPLIED", "VERIFIED", "COMPLETED");
		JsonNode credentialNow = this.api.get("scanner", "/api/v1/identities/" + this.identity)
			.json()
			.path("credentials")
			.get(0);
		assertThat(credentialNow.path("currentVersion").asInt()).isEqualTo(2);
		assertThat(credentialNow.path("versions").get(0).path("status").asText()).isEqualTo("RETIRED");
		assertThat(credentialNow.path("versions").get(1).path("status").asText()).isEqualTo("ACTIVE");

		Reply listed = this.api.get("bob", "/api/v1/responses?status=COMPLETED&playbook=secret-rotation&size=100");
		assertThat(listed.json().path("items").findValuesAsText("id")).contains(id);
	}

	@Test
	void shouldRejectThroughOurApiAndRefuseTheIntegrator() {
		String id = start();
		JsonNode staged = awaitStatus(id, "AWAITING_APPROVAL");
		String fingerprint = staged.path("stagedAction").path("fingerprint").asText();

		Reply byScanner = this.api.post("scanner", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "self-service", "fingerprint", fingerprint));
		assertThat(byScanner.status()).isEqualTo(403);
		assertThat(byScanner.contentType()).startsWith("application/problem+json");
		Reply byAlice = this.api.post("alice", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "not mine", "fingerprint", fingerprint));
		assertThat(byAlice.status()).as(byAlice.toString()).isEqualTo(403);
		assertThat(byAlice.contentType()).startsWith("application/problem+json");

		Reply rejected = this.api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "REJECT", "reason", "Release freeze until Monday"));
		assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
		JsonNode done = awaitStatus(id, "REJECTED");
		assertThat(done.path("decisions").get(0).path("decision").asText()).isEqualTo("REJECT");
		assertThat(this.api.get("scanner", "/api/v1/identities/" + this.identity)
			.json()
			.path("credentials")
			.get(0)
			.path("currentVersion")
			.asInt()).isEqualTo(1);

		Reply again = this.api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "changed my mind", "fingerprint", fingerprint));
		assertThat(again.status()).isEqualTo(409);
	}

	@Test
	void shouldReturnTheSameResponseForARepeatedIdempotencyKey() {
		String key = "scan-" + UUID.randomUUID();
		Reply first = this.api.send("scanner", "POST", "/api/v1/responses", detection(), Map.of("Idempotency-Key", key));
		Reply second = this.api.send("scanner", "POST", "/api/v1/responses", detection(), Map.of("Idempotency-Key", key));
		assertThat(first.status()).isEqualTo(202);
		assertThat(second.status()).isEqualTo(202);
		assertThat(second.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
		assertThat(second.json().path("replayed").asBoolean()).isTrue();

		Map<String, Object> different = detection();
		different.put("summary", "Another finding");
		Reply conflict = this.api.send("scanner", "POST", "/api/v1/responses", different, Map.of("Idempotency-Key", key));
		assertThat(conflict.status()).isEqualTo(409);
		assertThat(conflict.json().path("detail").asText()).contains("Idempotency-Key");
	}

	@Test
	void shouldAnswerBadRequestsWithProblemDetailsAndStoreNothing() {
		long before = total();
		String largeEvidence = "x".repeat(70 * 1024);
		Map<String, Object> tooMuchEvidence = detection();
		tooMuchEvidence.put("evidence", Map.of("blob", largeEvidence));
		Map<String, Object> longSummary = detection();
		longSummary.put("summary", "s".repeat(501));
		Map<String, Object> unknownPlaybook = detection();
		unknownPlaybook.put("playbook", "delete-everything");
		Map<String, Object> unknownIdentity = detection();
		unknownIdentity.put("identity", "svc-does-not-exist");
		Map<String, Object> unknownCredential = detection();
		unknownCredential.put("credential", "no-such-token");
		Map<String, Object> unknownField = detection();
		unknownField.put("requestedBy", "mallory");
		Map<String, Object> badSeverity = detection();
		badSeverity.put("severity", "apocalyptic");

		expectProblem(this.api.post("scanner", "/api/v1/responses", "{\"playbook\": "), 400, null);
		expectProblem(this.api.post("scanner", "/api/v1/responses", unknownPlaybook), 422, "playbook");
		expectProblem(this.api.post("scanner", "/api/v1/responses", unknownIdentity), 422, "identity");
		expectProblem(this.api.post("scanner", "/api/v1/responses", unknownCredential), 422, "credential");
		expectProblem(this.api.post("scanner", "/api/v1/responses", longSummary), 400, "summary");
		expectProblem(this.api.post("scanner", "/api/v1/responses", tooMuchEvidence), 413, "evidence");
		expectProblem(this.api.post("scanner", "/api/v1/responses", unknownField), 400, "requestedBy");
		expectProblem(this.api.post("scanner", "/api/v1/responses", badSeverity), 400, "severity");
		expectProblem(this.api.post("scanner", "/api/v1/responses", "{\"summary\":\"" + "y".repeat(300 * 1024) + "\"}"),
				413, null);
		expectProblem(this.api.post(null, "/api/v1/responses", detection()), 401, null);
		expectProblem(this.api.post("bob", "/api/v1/responses", detection()), 403, null);
		expectProblem(this.api.get("scanner", "/api/v1/responses/" + UUID.randomUUID()), 404, null);
		expectProblem(this.api.get("scanner", "/api/v1/responses?status=SLEEPING"), 400, "status");

		assertThat(total()).isEqualTo(before);
		JsonNode identity = this.api.get("scanner", "/api/v1/identities/" + this.identity).json();
		assertThat(identity.path("credentials").get(0).path("currentVersion").asInt()).isEqualTo(1);
	}

	@Test
	void shouldRefuseSecretMaterialInTheInventory() {
		Reply reply = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-it", "environment", "production", "credentials",
						List.of(Map.of("id", this.credential, "kind", "ACCESS_TOKEN", "fingerprint", "ghp_realTokenValue"))));
		expectProblem(reply, 400, "fingerprint");
		expectProblem(this.api.get("scanner", "/api/v1/identities/svc-nope"), 404, null);
		expectProblem(this.api.put("bob", "/api/v1/identities/" + this.identity, Map.of("owner", "x")), 403, null);
	}

	/** Tests name their engine uniquely, so engine-rest is addressed by name rather than as "default". */
	private String engineRest() {
		return "/engine-rest/engine/" + this.processEngine.getName();
	}

	private long total() {
		return this.api.get("admin", "/api/v1/responses?size=1").json().path("totalItems").asLong();
	}

	@Test
	void shouldRefuseBadPolicyInputsInTheInventoryAndKeepWhatWasStored() {
		expectProblem(this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-it", "environment", "production", "privilegeLevel", "root")), 400, null);
		expectProblem(this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-it", "environment", "production", "credentials", List.of(Map.of("id",
						this.credential, "kind", "ACCESS_TOKEN", "createdBy", "x".repeat(129))))), 400, "createdBy");

		JsonNode stored = this.api.get("scanner", "/api/v1/identities/" + this.identity).json();
		// Inferred from "repo:write", as stored by setUp; the refused requests changed nothing.
		assertThat(stored.path("privilegeLevel").asText()).isEqualTo("write");
		assertThat(stored.path("consumers")).hasSize(1);
		assertThat(stored.path("credentials").get(0).path("createdBy").isMissingNode()).isTrue();
	}

	private static void expectProblem(Reply reply, int status, String field) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
		assertThat(reply.contentType()).as(reply.toString()).startsWith("application/problem+json");
		assertThat(reply.json().path("status").asInt()).isEqualTo(status);
		if (field != null) {
			assertThat(reply.json().path("detail").asText()).as(reply.toString()).contains(field);
		}
	}

}
