package io.countersign.playbook.federation;

import java.util.Map;

import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.support.PlaybookScenario;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

@ProcessEngineTest
class FederationDisableProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	private PlaybookScenario scenario;

	private ProcessInstance detected() {
		this.scenario = new PlaybookScenario(this.engine, this.inventory, this.responses, Environment.PRODUCTION,
				"team-test", false);
		return this.scenario.start("federated-credential-disable", Severity.CRITICAL, Environment.PRODUCTION,
				this.scenario.trustId, null, "scanner");
	}

	@Test
	void shouldDisableTrustAndPartnerCredentialsAndRecordTheConfirmedFallback() {
		ProcessInstance instance = detected();

		this.scenario.decide("alice", "APPROVE",
				Map.of("fallbackPath", "Invoices go through the SFTP drop until the partner re-keys"));

		assertThat(instance).isEnded().hasPassed("EndEvent_FederationDisabled");
		assertThat(this.scenario.credentialStatus(this.scenario.trustId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(this.scenario.credentialStatus(this.scenario.partnerKeyId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(this.scenario.credentialStatus(this.scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.COMPLETED);
		assertThat(this.scenario.response().timeline()).filteredOn(entry -> entry.type().equals("DECIDED"))
			.singleElement()
			.extracting(ResponseView.TimelineEntry::seq)
			.isNotNull();
	}

	@Test
	void shouldRefuseApprovalWithoutAFallbackPath() {
		ProcessInstance instance = detected();

		assertThatThrownBy(() -> this.scenario.decide("alice", "APPROVE", Map.of()))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("fallbackPath");
		assertThatThrownBy(() -> this.scenario.decide("alice", "APPROVE", Map.of("fallbackPath", "   ")))
			.isInstanceOf(InvalidDecisionException.class);

		assertThat(instance).isActive();
		assertThat(this.scenario.credentialStatus(this.scenario.trustId)).isEqualTo(CredentialStatus.ACTIVE);
	}

	@Test
	void shouldChangeNothingWhenRejected() {
		ProcessInstance instance = detected();

		this.scenario.rejectAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_FederationRejected");
		assertThat(this.scenario.credentialStatus(this.scenario.trustId)).isEqualTo(CredentialStatus.ACTIVE);
	}

	@Test
	void shouldChangeNothingWhenNobodyDecidesInTime() {
		ProcessInstance instance = detected();

		this.scenario.fireTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(instance).isEnded().hasPassed("EndEvent_FederationExpired");
		assertThat(this.scenario.credentialStatus(this.scenario.partnerKeyId)).isEqualTo(CredentialStatus.ACTIVE);
	}

}
