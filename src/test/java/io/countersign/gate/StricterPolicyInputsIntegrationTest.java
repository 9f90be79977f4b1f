package io.countersign.gate;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy's inputs never get weaker because of what a detection says: the environment is the stricter of the
 * inventory's and the detection's, containment before the decision needs the inventory's word, and a more severe
 * detection joining an open response raises the open request's quorum.
 */
@HttpIntegrationTest
class StricterPolicyInputsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	ApiClient api;

	final String identity = "svc-policy-" + UUID.randomUUID();

	final String token = "token-policy-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	private void inventory(String environment) {
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity, Map.of("owner", "team-it",
				"environment", environment, "privilegeLevel", "write", "privileges", List.of("repo:write"),
				"consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", false)), "credentials",
				List.of(Map.of("id", this.token, "kind", "ACCESS_TOKEN", "fingerprint",
						StagedAction.sha256("v1 " + this.token)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	private Reply detect(String playbook, String severity, String environment) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", playbook);
		body.put("identity", this.identity);
		body.put("credential", this.token);
		body.put("summary", severity + " finding on " + this.token);
		body.put("source", "integration-test");
		body.put("severity", severity);
		body.put("environment", environment);
		return this.api.post("scanner", "/api/v1/responses", body);
	}

	private String start(String playbook, String severity, String environment) {
		Reply started = detect(playbook, severity, environment);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	/** Waits until the gate's task is open, the containment (if any) applied before it. */
	private JsonNode awaitApprovalTask(String id) {
		JsonNode response = this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(id)
				.taskDefinitionKey(ApprovalGateProcess.TASK_APPROVE)
				.count() == 1);
		return this.api.get("scanner", "/api/v1/responses/" + id).json();
	}

	private String tokenStatus() {
		return this.api.get("scanner", "/api/v1/identities/" + this.identity).json().path("credentials").get(0)
			.path("status").asText();
	}

	private Reply approve(String user, String id, String fingerprint) {
		return this.api.post(user, "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Checked", "fingerprint", fingerprint));
	}

	@Test
	void shouldAskThePolicyAboutProductionWhenTheDetectionSaysDevelopmentOfAProductionIdentity() {
		inventory("production");

		JsonNode response = awaitApprovalTask(start("credential-revocation", "high", "development"));

		assertThat(response.path("approvals").get(0).path("policyRule").asText()).isEqualTo("revoke-production");
	}

	@Test
	void shouldNotContainFirstWhenTheInventorySaysDevelopment() {
		inventory("development");

		String id = start("credential-revocation", "critical", "production");
		JsonNode response = awaitApprovalTask(id);

		// The stricter environment picks the strict rule, but its containment needs the inventory to agree.
		assertThat(response.path("approvals").get(0).path("policyRule").asText())
			.isEqualTo("revoke-production-critical");
		assertThat(response.path("timeline")).extracting(e -> e.path("type").asText()).doesNotContain("CONTAINED");
		assertThat(response.path("timeline")).filteredOn(e -> e.path("type").asText().equals("POLICY_EVALUATED"))
			.singleElement()
			.satisfies(e -> assertThat(e.path("detail").asText()).contains("no containment before the decision"));
		assertThat(tokenStatus()).isEqualTo("ACTIVE");
	}

	@Test
	void shouldContainFirstWhenTheInventoryAgreesOnProduction() {
		inventory("production");

		String id = start("credential-revocation", "critical", "production");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "SUSPENDED".equals(tokenStatus()));

		assertThat(awaitApprovalTask(id).path("timeline")).extracting(e -> e.path("type").asText())
			.contains("CONTAINED");
	}

	@Test
	void shouldRaiseTheQuorumWhenAMoreSevereDetectionJoinsTheOpenResponse() {
		inventory("production");
		String id = start("secret-rotation", "high", "production");
		JsonNode staged = awaitApprovalTask(id);
		assertThat(staged.path("approvals").get(0).path("requiredApprovals").asInt()).isEqualTo(1);
		String fingerprint = staged.path("stagedAction").path("fingerprint").asText();

		Reply joined = detect("secret-rotation", "critical", "production");
		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
		assertThat(joined.json().path("joined").asBoolean()).isTrue();
		Reply milder = detect("secret-rotation", "low", "development");
		assertThat(milder.status()).as(milder.toString()).isEqualTo(200);

		JsonNode raised = this.api.get("scanner", "/api/v1/responses/" + id).json();
		assertThat(raised.path("detections").get(1).path("environment").asText()).isEqualTo("production");
		assertThat(raised.path("approvals").get(0).path("requiredApprovals").asInt()).isEqualTo(2);
		assertThat(raised.path("approvals").get(0).path("policyRule").asText()).isEqualTo("rotate-production-critical");
		assertThat(raised.path("timeline")).filteredOn(e -> e.path("type").asText().equals("POLICY_RAISED"))
			.singleElement()
			.satisfies(e -> {
				assertThat(e.path("actor").asText()).isEqualTo("scanner");
				assertThat(e.path("detail").asText()).contains("now needs 2 distinct approval(s)");
			});

		assertThat(approve("bob", id, fingerprint).status()).isEqualTo(200);
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(id)
				.taskDefinitionKey(ApprovalGateProcess.TASK_APPROVE)
				.count() == 1);
		JsonNode afterOne = this.api.get("scanner", "/api/v1/responses/" + id).json();
		assertThat(afterOne.path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(this.api.get("scanner", "/api/v1/identities/" + this.identity).json().path("credentials").get(0)
			.path("currentVersion").asInt()).as("one approval no longer applies the rotation").isEqualTo(1);

		assertThat(approve("paul", id, fingerprint).status()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
	}

	@Test
	void shouldRaiseTheQuorumWhenAJoinedDetectionPlacesADevelopmentIdentityInProduction() {
		inventory("development");
		String id = start("secret-rotation", "critical", "development");
		JsonNode staged = awaitApprovalTask(id);
		assertThat(staged.path("approvals").get(0).path("policyRule").asText()).isEqualTo("rotate-development");

		Reply joined = detect("secret-rotation", "high", "production");
		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);

		JsonNode raised = this.api.get("scanner", "/api/v1/responses/" + id).json();
		// Critical (the first detection) in production (the joined one): the strictest of what was reported.
		assertThat(raised.path("approvals").get(0).path("policyRule").asText()).isEqualTo("rotate-production-critical");
		assertThat(raised.path("approvals").get(0).path("requiredApprovals").asInt()).isEqualTo(2);
	}

}
