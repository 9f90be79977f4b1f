package io.countersign.playbook.secretrotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;

import io.countersign.action.StagedAction;
import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.IdentityLink;
import org.junit.jupiter.api.Test;


import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

class SecretRotationProcessTest extends SecretRotationTestSupport {

	@Test
	void shouldRotateCredentialWhenPlatformOwnerApproves() {
		ProcessInstance instance = stagedBy("scanner");
		ResponseView staged = this.rotation.response();
		assertThat(staged.status()).isEqualTo(ResponseStatus.AWAITING_APPROVAL);
		assertThat(staged.stagedAction().type()).isEqualTo("credential.rotate");
		assertThat(staged.stagedAction().parameters().get("fromVersion").asInt()).isEqualTo(1);
		assertThat(staged.stagedAction().parameters().get("toVersion").asInt()).isEqualTo(2);
		String stagedVariable = (String) this.runtimeService.getVariable(instance.getId(), "stagedAction");
		assertThat(StagedAction.fromJson(stagedVariable).fingerprint()).isEqualTo(staged.stagedAction().fingerprint());
		assertThat(staged.blastRadius()).hasSize(2);
		assertThat(this.taskService.getIdentityLinksForTask(this.rotation.approvalTask().getId()))
			.extracting(IdentityLink::getGroupId)
			.containsExactly("platform-owners");

		this.rotation.approveAs("bob");
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_APPLY);
		execute(job());

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_COMPLETED);
		ResponseView done = this.rotation.response();
		assertThat(done.status()).isEqualTo(ResponseStatus.COMPLETED);
		assertThat(done.decisions()).singleElement().satisfies(decision -> {
			assertThat(decision.approver()).isEqualTo("bob");
			assertThat(decision.decision()).isEqualTo("APPROVE");
			assertThat(decision.fingerprint()).isEqualTo(staged.stagedAction().fingerprint());
		});
		assertThat(done.timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("REQUESTED", "STAGED", "TASK_CREATED", "DECIDED", "APPLYING", "APPLIED", "VERIFIED",
					"COMPLETED");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		assertThat(this.rotation.credential().version(1).status()).isEqualTo("RETIRED");
		assertThat(this.rotation.credential().version(1).retiredAt()).isNotNull();
		assertThat(this.rotation.credential().version(2).status()).isEqualTo("ACTIVE");
		assertThat(this.rotation.credential().version(2).fingerprint())
			.isNotEqualTo(this.rotation.credential().version(1).fingerprint());
	}

	@Test
	void shouldChangeNothingWhenRejected() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.decideAs("bob", "REJECT", "The deploy pipeline is mid-release", null);

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_REJECTED)
			.hasNotPassed(SecretRotationProcess.TASK_APPLY);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.REJECTED);
		assertThat(this.rotation.response().decisions()).extracting(ResponseView.DecisionView::reason)
			.containsExactly("The deploy pipeline is mid-release");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().versions()).hasSize(1);
	}

	@Test
	void shouldExpireWithoutChangingAnythingWhenNobodyDecides() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.fireGateTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_EXPIRED)
			.hasNotPassed(SecretRotationProcess.TASK_APPLY);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.EXPIRED);
		assertThat(this.rotation.response().decisions()).isEmpty();
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().versions()).hasSize(1);
	}

	@Test
	void shouldLetSecurityLeadApproveAfterEscalation() {
		ProcessInstance instance = stagedBy("scanner");
		assertThatThrownBy(() -> this.rotation.approveAs("dave")).isInstanceOf(AuthorizationException.class);

		this.rotation.fireGateTimer(ApprovalGateProcess.BOUNDARY_ESCALATION);
		assertStillWaitingForApproval(instance);
		assertThat(this.taskService.getIdentityLinksForTask(this.rotation.approvalTask().getId()))
			.extracting(IdentityLink::getGroupId)
			.containsExactlyInAnyOrder("platform-owners", "security-leads");
		assertThat(this.rotation.response().timeline()).extracting(ResponseView.TimelineEntry::type)
			.contains("ESCALATED");

		this.rotation.approveAs("dave");
		execute(job());
		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_COMPLETED);
		assertThat(this.rotation.response().decisions()).extracting(ResponseView.DecisionView::approver)
			.containsExactly("dave");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
	}

	@Test
	void shouldRefuseSelfApproval() {
		ProcessInstance instance = stagedBy("bob");
		assertThatThrownBy(() -> this.rotation.approveAs("bob")).isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("not-requester");
		assertStillWaitingForApproval(instance);
		assertThat(this.rotation.response().decisions()).isEmpty();
	}

	@Test
	void shouldRefuseAnalystOutsideTheCandidateGroup() {
		ProcessInstance instance = stagedBy("scanner");
		assertThatThrownBy(() -> this.rotation.approveAs("alice")).isInstanceOf(AuthorizationException.class);
		assertThatThrownBy(() -> this.rotation.approveAs("scanner")).isInstanceOf(AuthorizationException.class);
		assertStillWaitingForApproval(instance);
		assertThat(this.rotation.response().decisions()).isEmpty();
	}

	@Test
	void shouldRefuseAdminWhoIsNotACandidate() {
		ProcessInstance instance = stagedBy("scanner");
		assertThatThrownBy(() -> this.rotation.approveAs("admin")).isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("candidate-group");
		assertStillWaitingForApproval(instance);
	}

	@Test
	void shouldRefuseCompletionWithoutAnAuthenticatedUser() {
		ProcessInstance instance = stagedBy("scanner");
		String taskId = this.rotation.approvalTask().getId();
		assertThatThrownBy(() -> this.taskService.complete(taskId,
				java.util.Map.of("decision", "APPROVE", "reason", "ok", "approvedFingerprint",
						this.rotation.stagedFingerprint())))
			.isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("authenticated-approver");
		assertStillWaitingForApproval(instance);
	}

	@Test
	void shouldRefuseFingerprintThatIsNotTheStagedOne() {
		ProcessInstance instance = stagedBy("scanner");
		assertThatThrownBy(() -> this.rotation.decideAs("bob", "APPROVE", "looks fine", StagedAction.sha256("other")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("fingerprint-match");
		assertThatThrownBy(() -> this.rotation.decideAs("bob", "APPROVE", "looks fine", null))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("fingerprint-match");
		assertStillWaitingForApproval(instance);
		assertThat(this.rotation.response().decisions()).isEmpty();
	}

	@Test
	void shouldRefuseDecisionWithoutDecisionOrReason() {
		ProcessInstance instance = stagedBy("scanner");
		String fingerprint = this.rotation.stagedFingerprint();
		assertThatThrownBy(() -> this.rotation.decideAs("bob", null, "fine", fingerprint))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("decision-required");
		assertThatThrownBy(() -> this.rotation.decideAs("bob", "MAYBE", "fine", fingerprint))
			.isInstanceOf(InvalidDecisionException.class);
		assertThatThrownBy(() -> this.rotation.decideAs("bob", "APPROVE", "  ", fingerprint))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("reason-required");
		assertStillWaitingForApproval(instance);
	}

	@Test
	void shouldNotApplyWhenActionChangedAfterApproval() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.approveAs("bob");
		String tampered = ((String) this.runtimeService.getVariable(instance.getId(), "stagedAction"))
			.replace("\"toVersion\" : 2", "\"toVersion\" : 7");
		this.runtimeService.setVariable(instance.getId(), "stagedAction", tampered);

		execute(job());

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_BLOCKED)
			.hasNotPassed(SecretRotationProcess.TASK_VERIFY);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.FAILED);
		assertThat(this.rotation.response().timeline()).extracting(ResponseView.TimelineEntry::type).contains("BLOCKED");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().versions()).hasSize(1);
	}

	@Test
	void shouldRollBackWithoutTouchingAVersionSomeoneElseCreated() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.approveAs("bob");
		// Between approval and apply, someone else's change rotates the credential (a report can no longer do that).
		this.inventory.rotate(this.rotation.credentialId, 1, 2, "rotated-elsewhere:" + this.rotation.credentialId);
		String externalFingerprint = this.rotation.credential().version(2).fingerprint();

		execute(job());
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_RESTORE);
		execute(job());

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_ROLLED_BACK);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		assertThat(this.rotation.credential().version(2).fingerprint()).isEqualTo(externalFingerprint);
		assertThat(this.rotation.credential().version(2).status()).isEqualTo("ACTIVE");
	}

	@Test
	void shouldRecordCancellationWhenTheInstanceIsDeleted() {
		ProcessInstance instance = stagedBy("scanner");
		this.runtimeService.deleteProcessInstance(instance.getId(), "duplicate detection");
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.CANCELLED);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
	}

}
