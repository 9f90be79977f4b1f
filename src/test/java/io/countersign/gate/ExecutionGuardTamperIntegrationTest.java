package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Job;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Tampering as someone with database access would try it (engine-rest update rights reach only process variables,
 * which apply never reads): the guard refuses the changed action and the ledger shows both the block and any edit of
 * its own rows. The job executor is off so the test decides when apply runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
				"camunda.bpm.generate-unique-process-engine-name=true",
				"camunda.bpm.generate-unique-process-application-name=true", "camunda.bpm.job-execution.enabled=false" })
class ExecutionGuardTamperIntegrationTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	RuntimeService runtimeService;

	@Autowired
	ManagementService managementService;

	@Autowired
	JdbcClient jdbc;

	@Test
	void shouldBlockAnActionChangedInTheDatabaseAfterApprovalAndReportAnEditedLedgerRow() throws Exception {
		ApiClient api = new ApiClient(this.port);
		String identity = "svc-tamper-" + UUID.randomUUID();
		String credential = "token-tamper-" + UUID.randomUUID();
		assertThat(api.put("scanner", "/api/v1/identities/" + identity, Map.of("owner", "team-it", "environment",
				"production", "credentials", List.of(Map.of("id", credential, "kind", "API_KEY"))))
			.status()).isEqualTo(200);
		Reply started = api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "secret-rotation", "identity", identity, "credential", credential, "summary",
						"Leaked key", "source", "test", "severity", "high", "environment", "production"));
		String id = started.json().path("id").asText();
		runJobs(id);
		String fingerprint = api.get("bob", "/api/v1/responses/" + id).json().path("stagedAction").path("fingerprint")
			.asText();
		assertThat(api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "Rotate it", "fingerprint", fingerprint))
			.status()).isEqualTo(200);

		// After the approval, someone with database access swaps the target version of the recorded action. (Process
		// variables are only what the form shows: apply reads the action from our tables.)
		String recorded = this.jdbc.sql("select action_json from action_execution where response_id = ?")
			.param(id)
			.query(String.class)
			.single();
		String tampered = recorded.replace("\"toVersion\":2", "\"toVersion\":9");
		assertThat(tampered).contains("\"toVersion\":9");
		this.jdbc.sql("update action_execution set action_json = ? where response_id = ?").params(tampered, id).update();

		runJobs(id);

		JsonNode response = api.get("scanner", "/api/v1/responses/" + id).json();
		assertThat(response.path("status").asText()).isEqualTo("FAILED");
		JsonNode rotated = api.get("scanner", "/api/v1/identities/" + identity).json().path("credentials").get(0);
		assertThat(rotated.path("currentVersion").asInt()).isEqualTo(1);
		List<JsonNode> ledger = jsonLines(api.get("audrey", "/api/v1/audit?response=" + id));
		assertThat(ledger).extracting(entry -> entry.path("type").asText())
			.containsSubsequence("REQUESTED", "STAGED", "POLICY_EVALUATED", "DECIDED", "QUORUM_REACHED",
					"RECEIPT_ISSUED", "BLOCKED", "FAILED")
			.doesNotContain("APPLIED");
		JsonNode blocked = ledger.stream().filter(entry -> entry.path("type").asText().equals("BLOCKED")).findFirst()
			.orElseThrow();
		assertThat(blocked.path("detail").asText()).contains("the action changed after it was staged and approved");
		assertThat(api.get("audrey", "/api/v1/audit/verify").json().path("ok").asBoolean()).isTrue();

		// Someone with database access softens the decision's reason.
		long decided = ledger.stream().filter(entry -> entry.path("type").asText().equals("DECIDED")).findFirst()
			.orElseThrow()
			.path("seq")
			.asLong();
		this.jdbc.sql("update ledger_entry set detail = 'APPROVE: routine' where seq = ?").param(decided).update();

		JsonNode verification = api.get("audrey", "/api/v1/audit/verify").json();
		assertThat(verification.path("ok").asBoolean()).isFalse();
		assertThat(verification.path("firstBroken").path("seq").asLong()).isEqualTo(decided);
	}

	private void runJobs(String responseId) {
		for (int round = 0; round < 10; round++) {
			List<Job> jobs = this.runtimeService.createProcessInstanceQuery()
				.processInstanceBusinessKey(responseId)
				.list()
				.stream()
				.flatMap(instance -> this.managementService.createJobQuery()
					.processInstanceId(instance.getId())
					.executable()
					.list()
					.stream())
				.toList();
			if (jobs.isEmpty()) {
				return;
			}
			jobs.forEach(job -> this.managementService.executeJob(job.getId()));
		}
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
