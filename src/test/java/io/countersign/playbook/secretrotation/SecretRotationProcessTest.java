package io.countersign.playbook.secretrotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Identity;
import io.countersign.inventory.InventoryChange;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.IdentityLink;
import org.junit.jupiter.api.Test;

class SecretRotationProcessTest extends SecretRotationTestSupport {

	@Test
	void shouldRotateCredentialAndDeliverOnlyToTheSinkWhenPlatformOwnerApproves() {
		ProcessInstance instance = stagedBy("scanner");
		ResponseView staged = this.rotation.response();
		assertThat(staged.status()).isEqualTo(ResponseStatus.AWAITING_APPROVAL);
		assertThat(staged.stagedAction().type()).isEqualTo(ActionTypes.CREDENTIAL_ROTATE);
		assertThat(staged.stagedAction().parameters().get("fromVersion").asInt()).isEqualTo(1);
		assertThat(staged.stagedAction().parameters().get("toVersion").asInt()).isEqualTo(2);
		String stagedVariable = (String) this.runtimeService.getVariable(instance.getId(), "stagedAction");
		assertThat(StagedAction.fromJson(stagedVariable).fingerprint()).isEqualTo(staged.stagedAction().fingerprint());
		assertThat(staged.blastRadius().path("consumers")).hasSize(2);
		assertThat(this.taskService.getIdentityLinksForTask(this.rotation.approvalTask().getId()))
			.extracting(IdentityLink::getGroupId)
			.containsExactly("platform-owners");

		approved(instance);
		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_COMPLETED);
		ResponseView done = this.rotation.response();
		assertThat(done.status()).isEqualTo(ResponseStatus.COMPLETED);
		assertThat(done.decisions()).singleElement().satisfies(decision -> {
			assertThat(decision.approver()).isEqualTo("bob");
			assertThat(decision.decision()).isEqualTo("APPROVE");
			assertThat(decision.fingerprint()).isEqualTo(staged.stagedAction().fingerprint());
		});
		assertThat(done.timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("REQUESTED", "STAGED", "TASK_CREATED", "DECIDED", "RECEIPT_ISSUED", "APPLYING",
					"APPLIED", "VERIFIED", "COMPLETED");
		Identity.Credential credential = this.rotation.credential();
		assertThat(credential.currentVersion()).isEqualTo(2);
		assertThat(credential.version(1).status()).isEqualTo("RETIRED");
		assertThat(credential.version(1).retiredAt()).isNotNull();
		assertThat(credential.version(2).status()).isEqualTo("ACTIVE");
		String material = delivered(this.rotation.credentialId);
		assertThat(credential.version(2).fingerprint()).isEqualTo(StagedAction.sha256(material))
			.isNotEqualTo(credential.version(1).fingerprint());
		assertThat(receiptUses()).isEqualTo(1);
	}

	@Test
	void shouldChangeNothingWhenRejected() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.decideAs("bob", "REJECT", "The deploy pipeline is mid-release", null);
		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_REJECTED);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.REJECTED);
		assertThat(this.rotation.response().decisions()).extracting(ResponseView.DecisionView::reason)
			.containsExactly("The deploy pipeline is mid-release");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().versions()).hasSize(1);
		assertThat(secretFile(this.rotation.credentialId)).doesNotExist();
	}

	@Test
	void shouldExpireWithoutChangingAnythingWhenNobodyDecides() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.fireGateTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);
		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_EXPIRED);
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
		this.rotation.runJobs();
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
		assertThatThrownBy(() -> this.taskService.complete(taskId, Map.of("decision", "APPROVE", "reason", "ok",
				"approvedFingerprint", this.rotation.stagedFingerprint())))
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
	void shouldApplyOnlyTheApprovedActionWhenTheVariablesAreChangedAfterApproval() {
		ProcessInstance instance = stagedBy("scanner");
		ProcessInstance guarded = approved(instance);
		// Someone with update rights on the instances rewrites the action they show: apply reads the stored one.
		for (ProcessInstance running : new ProcessInstance[] { instance, guarded }) {
			String tampered = ((String) this.runtimeService.getVariable(running.getId(), "stagedAction"))
				.replace("\"toVersion\" : 2", "\"toVersion\" : 7");
			assertThat(tampered).contains("\"toVersion\" : 7");
			this.runtimeService.setVariable(running.getId(), "stagedAction", tampered);
		}

		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_COMPLETED);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		assertThat(this.rotation.credential().version(7)).isNull();
	}

	@Test
	void shouldRollBackWithoutTouchingAVersionSomeoneElseCreated() {
		ProcessInstance instance = stagedBy("scanner");
		approved(instance);
		// Between approval and apply, another approved change rotates the credential (a report cannot do that).
		String externalFingerprint = StagedAction.sha256("rotated elsewhere " + UUID.randomUUID());
		this.journal.rotateCredential(new InventoryChange("elsewhere:" + UUID.randomUUID(),
				ActionTypes.CREDENTIAL_ROTATE, this.rotation.credentialId, UUID.randomUUID().toString(),
				StagedAction.sha256("elsewhere")), this.rotation.identityId, this.rotation.credentialId, 1, 2,
				externalFingerprint);

		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_ROLLED_BACK);
		ResponseView response = this.rotation.response();
		assertThat(response.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(response.timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("APPLYING", "RESTORED", "ROLLED_BACK")
			.doesNotContain("APPLIED");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		assertThat(this.rotation.credential().version(2).fingerprint()).isEqualTo(externalFingerprint);
		assertThat(this.rotation.credential().version(2).status()).isEqualTo("ACTIVE");
		assertThat(secretFile(this.rotation.credentialId)).doesNotExist();
		assertThat(receiptUses()).as("the refused apply spent nothing").isZero();
	}

	@Test
	void shouldEndWithoutAnApprovalWhenTheCredentialCannotBeRotated() {
		this.journal.changeCredentialStatus(new InventoryChange("disabled:" + UUID.randomUUID(),
				ActionTypes.CREDENTIAL_DISABLE, this.rotation.credentialId, UUID.randomUUID().toString(),
				StagedAction.sha256("disabled elsewhere")), this.rotation.identityId, this.rotation.credentialId,
				Set.of(CredentialStatus.ACTIVE), CredentialStatus.DISABLED);
		ProcessInstance instance = this.rotation.requestedBy("scanner");
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_STAGE);
		execute(job());

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_NOTHING_TO_ROTATE)
			.hasNotPassed(SecretRotationProcess.CALL_GUARDED_ROTATION);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.FAILED);
		assertThat(this.rotation.response().approvals()).isEmpty();
		assertThat(this.rotation.response().timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("is DISABLED, not ACTIVE"));
		assertThat(this.rotation.credential().versions()).hasSize(1);
	}

	@Test
	void shouldRecordCancellationWhenTheInstanceIsDeleted() {
		ProcessInstance instance = stagedBy("scanner");
		this.runtimeService.deleteProcessInstance(instance.getId(), "duplicate detection");
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.CANCELLED);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.guardedInstance()).isNull();
	}

}
