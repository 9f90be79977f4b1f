package io.countersign.playbook.isolation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The analyst who validates the workload submits the form with rewritten variables, through engine-rest: the staged
 * isolation still targets the workload and identity the detection named, as stored, and one approval isolates only
 * that workload.
 */
@HttpIntegrationTest
class WorkloadValidationIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	ApiClient api;

	final String identity = "svc-isolate-" + UUID.randomUUID();

	final String bystander = "svc-bystander-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		for (String id : List.of(this.identity, this.bystander)) {
			Reply upsert = this.api.put("scanner", "/api/v1/identities/" + id, Map.of("owner", "team-it",
					"environment", "staging", "privileges", List.of("repo:read"), "consumers",
					List.of(Map.of("name", "build-runner", "customerFacing", false),
							Map.of("name", "storefront", "customerFacing", false))));
			assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		}
	}

	@Test
	void shouldRefuseValidatorRetargetingTheIsolationThroughTheValidationForm() {
		String id = start("build-runner");
		Task validate = validationTask(id);

		// The validator rewrites the evidence and the identity while "validating": another workload, another identity.
		Reply completed = this.api.post("alice",
				"/engine-rest/engine/" + this.processEngine.getName() + "/task/" + validate.getId() + "/submit-form",
				Map.of("variables", Map.of("customerFacingConfirmed", Map.of("value", false, "type", "Boolean"),
						"reason", Map.of("value", "Internal build runner", "type", "String"), "evidence",
						Map.of("value", "{\"workload\":\"storefront\"}", "type", "String"), "identity",
						Map.of("value", this.bystander, "type", "String"), "workload",
						Map.of("value", "storefront", "type", "String"))));
		assertThat(completed.status()).as(completed.toString()).isEqualTo(204);

		JsonNode staged = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL").path("stagedAction");
		assertThat(staged.path("target").asText()).isEqualTo("build-runner");
		assertThat(staged.path("parameters").path("identity").asText()).isEqualTo(this.identity);
		approve(id, staged.path("fingerprint").asText());

		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(isolated(this.identity)).containsEntry("build-runner", true).containsEntry("storefront", false);
		assertThat(isolated(this.bystander)).containsEntry("build-runner", false).containsEntry("storefront", false);
	}

	@Test
	void shouldLetValidatorOnlyMakeTheIsolationStricter() {
		String id = start("build-runner");
		Task validate = validationTask(id);

		Reply completed = this.api.post("alice",
				"/engine-rest/engine/" + this.processEngine.getName() + "/task/" + validate.getId() + "/submit-form",
				Map.of("variables", Map.of("customerFacingConfirmed", Map.of("value", true, "type", "Boolean"),
						"reason", Map.of("value", "Runs the storefront's nightly deploy", "type", "String"))));
		assertThat(completed.status()).as(completed.toString()).isEqualTo(204);

		JsonNode response = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");
		assertThat(response.path("stagedAction").path("target").asText()).isEqualTo("build-runner");
		assertThat(response.path("stagedAction").path("parameters").path("customerFacing").asBoolean()).isTrue();
		assertThat(response.path("approvals").get(0).path("policyRule").asText()).isEqualTo("isolate-customer-facing");
		assertThat(response.path("approvals").get(0).path("requiredApprovals").asInt()).isEqualTo(2);
	}

	private String start(String workload) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "workload-isolation");
		body.put("identity", this.identity);
		body.put("summary", "Leaked secret used by " + workload);
		body.put("source", "integration-test");
		body.put("severity", "high");
		body.put("environment", "staging");
		body.put("evidence", Map.of("workload", workload));
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private Task validationTask(String id) {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(id)
				.taskDefinitionKey("Task_ValidateWorkload")
				.singleResult(), task -> task != null);
	}

	private void approve(String id, String fingerprint) {
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(id)
				.taskDefinitionKey("Task_Approve")
				.count() == 1);
		Reply decided = this.api.post("alice", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Isolate the runner", "fingerprint", fingerprint));
		assertThat(decided.status()).as(decided.toString()).isEqualTo(200);
	}

	private Map<String, Boolean> isolated(String identityId) {
		Map<String, Boolean> isolated = new LinkedHashMap<>();
		this.api.get("scanner", "/api/v1/identities/" + identityId)
			.json()
			.path("consumers")
			.forEach(c -> isolated.put(c.path("name").asText(), c.path("isolated").asBoolean()));
		return isolated;
	}

}
