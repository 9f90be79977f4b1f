package io.countersign.playbook;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each seed playbook end to end over HTTP, with the job executor running as in production: the integrator
 * ({@code scanner}) reports the identity and the detection, an analyst decides through the API (or engine-rest for
 * a playbook's own task), and the inventory, read back over HTTP, shows the change.
 */
@HttpIntegrationTest
class SeedPlaybooksApiIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	ApiClient api;

	final String identity = "svc-seed-" + UUID.randomUUID();

	final String token = "token-" + UUID.randomUUID();

	final String trust = "trust-" + UUID.randomUUID();

	final String partnerKey = "partner-key-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity, Map.of("owner", "team-it",
				"description", "integration test identity", "environment", "staging", "privileges",
				List.of("repo:read", "repo:write", "iam:admin"), "consumers",
				List.of(Map.of("name", "deploy-pipeline", "customerFacing", false, "lastUsedAt", "2026-11-20T10:00:00Z"),
						Map.of("name", "storefront", "customerFacing", true)),
				"credentials",
				List.of(credential(this.token, "ACCESS_TOKEN"), credential(this.trust, "FEDERATED_TRUST"),
						credential(this.partnerKey, "API_KEY"))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	private static Map<String, Object> credential(String id, String kind) {
		return Map.of("id", id, "kind", kind, "fingerprint", StagedAction.sha256("v1 " + id));
	}

	private String start(String playbook, String credential, Map<String, Object> evidence) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", playbook);
		body.put("identity", this.identity);
		if (credential != null) {
			body.put("credential", credential);
		}
		body.put("summary", "Integration test of " + playbook);
		body.put("source", "integration-test");
		body.put("severity", "high");
		body.put("environment", "staging");
		body.put("evidence", evidence);
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private JsonNode decide(String user, String id, Map<String, Object> extra) {
		JsonNode response = this.api.awaitResponseStatus(user, id, "AWAITING_APPROVAL");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> approvalTask(id) != null);
		Map<String, Object> body = new LinkedHashMap<>(extra);
		body.putIfAbsent("decision", "APPROVE");
		body.put("reason", "Checked the blast radius");
		body.put("fingerprint", response.path("stagedAction").path("fingerprint").asText());
		Reply decided = this.api.post(user, "/api/v1/responses/" + id + "/decision", body);
		assertThat(decided.status()).as(decided.toString()).isEqualTo(200);
		return decided.json();
	}

	private Task approvalTask(String id) {
		return this.processEngine.getTaskService()
			.createTaskQuery()
			.processInstanceBusinessKey(id)
			.taskDefinitionKey("Task_Approve")
			.singleResult();
	}

	private JsonNode identity() {
		Reply reply = this.api.get("scanner", "/api/v1/identities/" + this.identity);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	private String status(String credential) {
		for (JsonNode node : identity().path("credentials")) {
			if (node.path("id").asText().equals(credential)) {
				return node.path("status").asText();
			}
		}
		throw new AssertionError("no credential " + credential);
	}

	@Test
	void shouldRevokeTheTokenWhenTheAnalystApproves() {
		String id = start("credential-revocation", this.token, Map.of("finding", "token in a public gist"));

		decide("alice", id, Map.of());

		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(status(this.token)).isEqualTo("DISABLED");
		assertThat(status(this.partnerKey)).isEqualTo("ACTIVE");
	}

	@Test
	void shouldReduceToTheNarrowedProposalApprovedByTheAccessOwner() {
		String id = start("privilege-reduction", null, Map.of("usedPrivileges", List.of("repo:read")));

		decide("carol", id, Map.of("decision", "NARROW", "narrowedTo", List.of("iam:admin")));
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
			JsonNode response = this.api.get("carol", "/api/v1/responses/" + id).json();
			return response.path("approvals").size() == 2 && approvalTask(id) != null;
		});
		decide("carol", id, Map.of());

		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(identity().path("privileges")).extracting(JsonNode::asText)
			.containsExactlyInAnyOrder("repo:read", "repo:write");
	}

	@Test
	void shouldQuarantineTheIdentityWhenTheAnalystChoosesQuarantineNow() {
		String id = start("identity-quarantine", null, Map.of("behaviour", "calls from a new country"));

		decide("alice", id, Map.of());

		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(identity().path("status").asText()).isEqualTo("QUARANTINED");
	}

	@Test
	void shouldIsolateTheWorkloadAfterTheResponderValidatedIt() {
		String id = start("workload-isolation", null, Map.of("workload", "deploy-pipeline"));
		Task validate = Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(id)
				.taskDefinitionKey("Task_ValidateWorkload")
				.singleResult(), task -> task != null);
		Reply completed = this.api.post("alice",
				"/engine-rest/engine/" + this.processEngine.getName() + "/task/" + validate.getId() + "/submit-form",
				Map.of("variables", Map.of("customerFacingConfirmed", Map.of("value", false, "type", "Boolean"),
						"reason", Map.of("value", "Internal build runner", "type", "String"))));
		assertThat(completed.status()).as(completed.toString()).isEqualTo(204);

		decide("alice", id, Map.of());

		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(identity().path("consumers")).filteredOn(c -> c.path("name").asText().equals("deploy-pipeline"))
			.singleElement()
			.satisfies(consumer -> assertThat(consumer.path("isolated").asBoolean()).isTrue());
	}

	@Test
	void shouldDisableTheFederationOnlyWithAConfirmedFallbackPath() {
		String id = start("federated-credential-disable", this.trust, Map.of("advisory", "partner breach notice"));
		this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> approvalTask(id) != null);
		String fingerprint = this.api.get("alice", "/api/v1/responses/" + id)
			.json()
			.path("stagedAction")
			.path("fingerprint")
			.asText();
		Reply refused = this.api.post("alice", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Go", "fingerprint", fingerprint));
		assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
		assertThat(refused.body()).contains("fallbackPath");

		decide("alice", id, Map.of("confirmations", Map.of("fallbackPath", "Partner desk uploads via SFTP")));

		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(status(this.trust)).isEqualTo("DISABLED");
		assertThat(status(this.partnerKey)).isEqualTo("DISABLED");
		JsonNode timeline = this.api.get("scanner", "/api/v1/responses/" + id).json().path("timeline");
		assertThat(timeline).filteredOn(entry -> entry.path("type").asText().equals("DECIDED"))
			.singleElement()
			.satisfies(entry -> assertThat(entry.path("detail").asText())
				.contains("confirmed fallbackPath: Partner desk uploads via SFTP"));
	}

}
