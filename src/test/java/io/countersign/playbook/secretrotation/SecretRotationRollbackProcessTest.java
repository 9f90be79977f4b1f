package io.countersign.playbook.secretrotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.willAnswer;

import java.nio.file.Files;

import io.countersign.action.ActionConnector;
import io.countersign.action.StagedAction;
import io.countersign.playbook.GuardedActionProcess;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * Apply, delivery and verification failing, on the real inventory connector and file sink: the old version stays or
 * becomes current again, the response ends rolled back, and a retried apply rotates once and spends its receipt once.
 */
class SecretRotationRollbackProcessTest extends SecretRotationTestSupport {

	/** The real inventory connector; a test makes one of its calls fail after it really ran. */
	@MockitoSpyBean(name = "inventoryConnector")
	ActionConnector connector;

	@Test
	void shouldRollBackRotationWhenTheNewSecretCannotBeDelivered() throws Exception {
		ProcessInstance instance = stagedBy("scanner");
		approved(instance);
		// The credential's file is a non-empty directory: the sink cannot replace it (not even as root).
		Files.createDirectories(secretFile(this.rotation.credentialId));
		Files.writeString(secretFile(this.rotation.credentialId).resolve("keep"), "not a secret");

		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_ROLLED_BACK)
			.hasNotPassed(SecretRotationProcess.END_COMPLETED);
		ResponseView response = this.rotation.response();
		assertThat(response.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(response.timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("APPLYING", "RESTORED", "ROLLED_BACK")
			.doesNotContain("APPLIED");
		assertThat(response.timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("could not be delivered"));
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().versions()).hasSize(1);
		assertThat(this.rotation.credential().version(1).status()).isEqualTo("ACTIVE");
		assertThat(receiptUses()).isZero();
	}

	@Test
	void shouldRollBackRotationWhenVerificationFindsOtherMaterialInTheSink() throws Exception {
		ProcessInstance instance = stagedBy("scanner");
		ProcessInstance guarded = approved(instance);
		executeJobOf(guarded);
		assertThat(guarded).isWaitingAt(GuardedActionProcess.TASK_VERIFY);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		// Someone replaces what consumers read before the rotation is verified.
		Files.writeString(secretFile(this.rotation.credentialId), "written-by-someone-else");

		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_ROLLED_BACK);
		ResponseView response = this.rotation.response();
		assertThat(response.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(response.timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("APPLIED", "RESTORED", "ROLLED_BACK");
		assertThat(response.timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("holds other material"));
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().version(1).status()).isEqualTo("ACTIVE");
		assertThat(this.rotation.credential().version(1).retiredAt()).isNull();
		assertThat(this.rotation.credential().version(2).status()).isEqualTo("ROLLED_BACK");
		assertThat(receiptUses()).isEqualTo(1);
	}

	@Test
	void shouldRotateOnceAndSpendTheReceiptOnceWhenApplyIsRetriedAfterATechnicalFailure() {
		ProcessInstance instance = stagedBy("scanner");
		ProcessInstance guarded = approved(instance);
		// The first attempt rotates and delivers, then the job fails before it commits (a lost connection): its
		// version and receipt use roll back, its material stays in the sink. The retry must rotate once, and what
		// consumers read must be the version that was recorded.
		willAnswer(invocation -> {
			invocation.callRealMethod();
			throw new IllegalStateException("connection reset after write");
		}).willAnswer(invocation -> invocation.callRealMethod()).given(this.connector).apply(any());

		assertThatThrownBy(() -> executeJobOf(guarded)).hasStackTraceContaining("connection reset after write");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(receiptUses()).isZero();
		String firstDelivery = delivered(this.rotation.credentialId);

		executeJobOf(guarded);
		this.rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_COMPLETED);
		assertThat(this.rotation.credential().versions()).hasSize(2);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		String material = delivered(this.rotation.credentialId);
		assertThat(material).as("the retry delivered new material").isNotEqualTo(firstDelivery);
		assertThat(this.rotation.credential().version(2).fingerprint()).isEqualTo(StagedAction.sha256(material));
		assertThat(receiptUses()).isEqualTo(1);
	}

	/** Runs the guarded action's one job now, whether or not a failed attempt postponed it. */
	private void executeJobOf(ProcessInstance guarded) {
		Job job = this.managementService.createJobQuery().processInstanceId(guarded.getId()).singleResult();
		this.managementService.executeJob(job.getId());
	}

}
