package io.countersign.playbook;

import io.countersign.gate.ApprovalGateProcess;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.support.PlaybookScenario;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The state machine and the outcome rules on the engine's own API, for what the HTTP tests do not play: undoing a
 * containment while its request is open, and instances removed with the diagram's listeners skipped.
 */
@ProcessEngineTest
class ApprovedPathProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	private PlaybookScenario revocation(Environment environment, Severity severity) {
		PlaybookScenario scenario = new PlaybookScenario(this.engine, this.inventory, this.responses, environment,
				"team-test", false);
		scenario.start("credential-revocation", severity, environment, scenario.tokenId, null, "scanner");
		return scenario;
	}

	@Test
	void shouldRefuseReleasingAContainmentWhileItsRequestIsStillOpen() {
		PlaybookScenario scenario = revocation(Environment.PRODUCTION, Severity.CRITICAL);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.SUSPENDED);
		assertThat(scenario.task(ApprovalGateProcess.TASK_APPROVE)).isNotNull();

		ProcessInstance guarded = scenario.playbookInstance(GuardedActionProcess.PROCESS_KEY);
		this.engine.getRuntimeService()
			.createProcessInstanceModification(guarded.getId())
			.startBeforeActivity(GuardedActionProcess.TASK_RELEASE_CONTAINMENT)
			.execute(true, true);
		Job release = this.engine.getManagementService()
			.createJobQuery()
			.processInstanceId(guarded.getId())
			.activityId(GuardedActionProcess.TASK_RELEASE_CONTAINMENT)
			.singleResult();
		assertThatThrownBy(() -> this.engine.getManagementService().executeJob(release.getId()))
			.hasMessageContaining("RELEASE_CONTAINMENT of contain refused")
			.hasMessageContaining("the approval request is OPEN");

		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.SUSPENDED);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.AWAITING_APPROVAL);
		assertThat(scenario.timeline()).contains("BLOCKED").doesNotContain("CONTAINMENT_RELEASED");
	}

	@Test
	void shouldKeepTheRevocationAndCompleteWhenThePlaybookIsDeletedSkippingListeners() {
		PlaybookScenario scenario = revocation(Environment.STAGING, Severity.HIGH);
		scenario.approveAs("alice");
		assertThat(scenario.status()).isEqualTo(ResponseStatus.APPLIED);

		this.engine.getRuntimeService()
			.deleteProcessInstance(scenario.playbookInstance("credential-revocation").getId(), "cleanup", true);

		// The credential stays revoked, so the response cannot claim to be merely cancelled.
		assertThat(scenario.status()).isEqualTo(ResponseStatus.COMPLETED);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(scenario.response().timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("deleted or cancelled"));
	}

	@Test
	void shouldCancelTheResponseAndCloseItsRequestWhenTheGuardedActionIsDeletedSkippingListeners() {
		PlaybookScenario scenario = revocation(Environment.STAGING, Severity.HIGH);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.AWAITING_APPROVAL);

		this.engine.getRuntimeService()
			.deleteProcessInstance(scenario.playbookInstance(GuardedActionProcess.PROCESS_KEY).getId(), "cleanup", true);

		assertThat(scenario.status()).isEqualTo(ResponseStatus.CANCELLED);
		assertThat(scenario.response().approvals()).singleElement()
			.satisfies(approval -> assertThat(approval.status()).isEqualTo("CANCELLED"));
		assertThat(scenario.timeline()).containsSubsequence("CANCELLED", "APPROVAL_CANCELLED");
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
	}

}
