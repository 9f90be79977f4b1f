package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A refused decision is the gate working: one WARN line, no ERROR and no stack trace, on our API and on engine-rest.
 * An engine failure nobody expects still reaches the log once, at ERROR, with its stack trace.
 */
@HttpIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class RefusalLoggingIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Test
	void shouldLogRefusedDecisionsAsOneWarningWithoutStackTrace(CapturedOutput output) {
		ApiClient api = new ApiClient(this.port);
		String id = api.rotationAwaitingApproval("svc-log");
		String task = api.get("bob", "/engine-rest/engine/" + this.processEngine.getName() + "/task?processInstanceBusinessKey="
				+ id).json().get(0).path("id").asText();
		int before = output.getAll().length();

		Reply viaApi = api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "wrong fingerprint", "fingerprint", StagedAction.sha256("other")));
		Reply viaEngineRest = api.post("bob", "/engine-rest/engine/" + this.processEngine.getName() + "/task/" + task
				+ "/complete", Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason",
						Map.of("value", "wrong fingerprint"), "approvedFingerprint",
						Map.of("value", StagedAction.sha256("other")))));
		Reply notCandidate = api.post("carol", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "REJECT", "reason", "not mine to decide"));

		assertThat(viaApi.status()).as(viaApi.toString()).isEqualTo(400);
		assertThat(viaEngineRest.status()).as(viaEngineRest.toString()).isEqualTo(400);
		assertThat(notCandidate.status()).as(notCandidate.toString()).isIn(403, 404);
		String logged = output.getAll().substring(before);
		assertThat(logged).doesNotContain("ENGINE-16004").doesNotContain("\tat org.camunda");
		assertThat(logged.lines().filter(line -> line.contains(" ERROR "))).as(logged).isEmpty();
		assertThat(logged.lines().filter(line -> line.contains(" WARN ") && line.contains("'fingerprint-match'")))
			.as(logged)
			.hasSize(2);
	}

	@Test
	void shouldLogUnexpectedEngineFailureOnceAsError(CapturedOutput output) {
		ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) this.processEngine
			.getProcessEngineConfiguration();
		String marker = "unexpected-" + UUID.randomUUID();
		int before = output.getAll().length();

		assertThatIllegalStateException().isThrownBy(() -> configuration.getCommandExecutorTxRequired()
			.execute(outer -> configuration.getCommandExecutorTxRequired().execute(inner -> {
				throw new IllegalStateException(marker);
			})));

		String logged = output.getAll().substring(before);
		List<String> errors = logged.lines().filter(line -> line.contains(" ERROR ")).toList();
		assertThat(errors).as(logged).hasSize(1);
		assertThat(logged).contains("java.lang.IllegalStateException: " + marker).contains("\tat ");
	}

}
