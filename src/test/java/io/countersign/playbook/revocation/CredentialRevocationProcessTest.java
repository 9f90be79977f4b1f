package io.countersign.playbook.revocation;

import java.util.Map;

import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.support.PlaybookScenario;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

@ProcessEngineTest
class CredentialRevocationProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	private PlaybookScenario scenario(Environment environment, String owner) {
		return new PlaybookScenario(this.engine, this.inventory, this.responses, environment, owner, false);
	}

	private ProcessInstance detected(PlaybookScenario scenario, Severity severity, Environment environment) {
		return scenario.start("credential-revocation", severity, environment, scenario.tokenId, null, "scanner");
	}

	@Test
	void shouldDisableCredentialWhenTheDutyAnalystApprovesAndKeepItDisabledWhenTheWindowCloses() {
		PlaybookScenario scenario = scenario(Environment.STAGING, "team-test");
		ProcessInstance instance = detected(scenario, Severity.HIGH, Environment.STAGING);
		assertThat(scenario.task(ApprovalGateProcess.TASK_APPROVE)).isNotNull();
		assertThat(scenario.response().approvals()).singleElement()
			.satisfies(approval -> assertThat(approval.policyRule()).isEqualTo("revoke"));
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);

		scenario.approveAs("alice");

		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.APPLIED);
		assertThat(instance).isWaitingAt("Task_RequestRestore");
		assertThat(scenario.timeline()).containsSubsequence("STAGED", "POLICY_EVALUATED", "DECIDED", "RECEIPT_ISSUED",
				"APPLYING", "APPLIED", "VERIFIED");

		scenario.fireTimer("BoundaryEvent_RollbackWindowClosed");

		assertThat(instance).isEnded().hasPassed("EndEvent_RevocationCompleted");
		assertThat(scenario.status()).isEqualTo(ResponseStatus.COMPLETED);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
	}

	@Test
	void shouldRestoreWithinTheWindowOnlyThroughItsOwnApproval() {
		PlaybookScenario scenario = scenario(Environment.STAGING, "team-test");
		ProcessInstance instance = detected(scenario, Severity.HIGH, Environment.STAGING);
		scenario.approveAs("alice");
		String revocation = scenario.response().approvals().get(0).fingerprint();

		scenario.complete("Task_RequestRestore", "dave", Map.of("reason", "The leak was a test fixture"));

		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.AWAITING_APPROVAL);
		assertThat(scenario.response().stagedAction().type()).isEqualTo("credential.enable");
		assertThat(scenario.response().stagedAction().fingerprint()).isNotEqualTo(revocation);
		assertThat(scenario.response().approvals()).hasSize(2)
			.last()
			.satisfies(approval -> assertThat(approval.policyRule()).isEqualTo("restore-credential"));

		scenario.approveAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_CredentialRestored");
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(scenario.timeline()).containsSubsequence("VERIFIED", "TASK_COMPLETED", "STAGED", "DECIDED",
				"RECEIPT_ISSUED", "APPLIED", "VERIFIED", "ROLLED_BACK");
	}

	@Test
	void shouldKeepTheRevocationWhenTheRestoreIsRejected() {
		PlaybookScenario scenario = scenario(Environment.STAGING, "team-test");
		ProcessInstance instance = detected(scenario, Severity.HIGH, Environment.STAGING);
		scenario.approveAs("alice");
		scenario.complete("Task_RequestRestore", "dave", Map.of("reason", "Consumers are stuck"));

		scenario.rejectAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_RevocationCompleted");
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.COMPLETED);
	}

	@Test
	void shouldLetTheOwnerAskForRestoreButNotSomeoneElse() {
		PlaybookScenario scenario = scenario(Environment.STAGING, "bob");
		ProcessInstance instance = detected(scenario, Severity.HIGH, Environment.STAGING);
		scenario.approveAs("alice");

		// Not a candidate: the engine's authorization refuses; an administrator who may work on any task is refused by
		// the playbook's own listener, and the attempt is in the ledger.
		assertThatThrownBy(() -> scenario.complete("Task_RequestRestore", "carol", Map.of("reason", "please")))
			.isInstanceOf(AuthorizationException.class);
		assertThatThrownBy(() -> scenario.complete("Task_RequestRestore", "admin", Map.of("reason", "please")))
			.isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("admin");
		assertThat(instance).isWaitingAt("Task_RequestRestore");
		assertThat(scenario.timeline()).contains("REFUSED");

		scenario.complete("Task_RequestRestore", "bob", Map.of("reason", "I own it and rotated it myself"));
		assertThat(scenario.response().stagedAction().type()).isEqualTo("credential.enable");
	}

	@Test
	void shouldChangeNothingWhenTheAnalystRejects() {
		PlaybookScenario scenario = scenario(Environment.STAGING, "team-test");
		ProcessInstance instance = detected(scenario, Severity.HIGH, Environment.STAGING);

		scenario.rejectAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_RevocationRejected");
		assertThat(scenario.status()).isEqualTo(ResponseStatus.REJECTED);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
	}

	@Test
	void shouldDenyWhenNobodyDecidesInTime() {
		PlaybookScenario scenario = scenario(Environment.STAGING, "team-test");
		ProcessInstance instance = detected(scenario, Severity.HIGH, Environment.STAGING);

		scenario.fireTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(instance).isEnded().hasPassed("EndEvent_RevocationExpired");
		assertThat(scenario.status()).isEqualTo(ResponseStatus.EXPIRED);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
	}

	@Test
	void shouldSuspendAtOnceWhenPolicyAllowsAndUndoTheSuspensionWhenRejected() {
		PlaybookScenario scenario = scenario(Environment.PRODUCTION, "team-test");
		ProcessInstance instance = detected(scenario, Severity.CRITICAL, Environment.PRODUCTION);

		// Before anyone decided: suspended, and the approver is told so.
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.SUSPENDED);
		assertThat(scenario.timeline()).contains("CONTAINED");
		assertThat(this.engine.getTaskService()
			.getVariable(scenario.task(ApprovalGateProcess.TASK_APPROVE).getId(), "containmentStatus"))
			.asString()
			.contains("credential.suspend");

		scenario.rejectAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_RevocationRejected");
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
		assertThat(scenario.timeline()).containsSubsequence("CONTAINED", "REJECTED", "CONTAINMENT_RELEASED");
	}

	@Test
	void shouldUndoTheSuspensionWhenTheRequestExpires() {
		PlaybookScenario scenario = scenario(Environment.PRODUCTION, "team-test");
		detected(scenario, Severity.CRITICAL, Environment.PRODUCTION);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.SUSPENDED);

		scenario.fireTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(scenario.status()).isEqualTo(ResponseStatus.EXPIRED);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
	}

	@Test
	void shouldRevokeTheSuspendedCredentialWhenApproved() {
		PlaybookScenario scenario = scenario(Environment.PRODUCTION, "team-test");
		detected(scenario, Severity.CRITICAL, Environment.PRODUCTION);

		scenario.approveAs("alice");

		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.DISABLED);
		assertThat(scenario.status()).isEqualTo(ResponseStatus.APPLIED);
	}

	@Test
	void shouldNotContainWhenThePolicyDoesNotSaySo() {
		PlaybookScenario scenario = scenario(Environment.PRODUCTION, "team-test");
		detected(scenario, Severity.HIGH, Environment.PRODUCTION);

		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
		assertThat(scenario.timeline()).doesNotContain("CONTAINED");
	}

}
