package io.countersign.playbook.secretrotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.BDDMockito.willReturn;

import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/** Apply and verify failing after the credential really changed: the rollback must restore it. */
class SecretRotationRollbackProcessTest extends SecretRotationTestSupport {

	/** The real inventory, with failures injected where a test says so. */
	@MockitoSpyBean
	Inventory inventorySpy;

	private ProcessInstance approved() {
		ProcessInstance instance = stagedBy("scanner");
		this.rotation.approveAs("bob");
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_APPLY);
		return instance;
	}

	@Test
	void shouldRollBackRotationWhenApplyFails() {
		ProcessInstance instance = approved();
		// The target accepts the new version, then reports failure: the change is real and must be undone.
		willAnswer(invocation -> {
			invocation.callRealMethod();
			throw new InventoryConflictException("target rejected the new secret after writing it");
		}).given(this.inventorySpy).rotate(eq(this.rotation.credentialId), anyInt(), anyInt(), anyString());

		execute(job());
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_RESTORE);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
		execute(job());

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_ROLLED_BACK)
			.hasNotPassed(SecretRotationProcess.END_COMPLETED);
		ResponseView response = this.rotation.response();
		assertThat(response.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(response.timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("APPLYING", "RESTORED", "ROLLED_BACK");
		assertThat(response.timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("target rejected the new secret"));
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().version(1).status()).isEqualTo("ACTIVE");
		assertThat(this.rotation.credential().version(1).retiredAt()).isNull();
		assertThat(this.rotation.credential().version(2).status()).isEqualTo("ROLLED_BACK");
	}

	@Test
	void shouldRollBackRotationWhenVerificationFails() {
		ProcessInstance instance = approved();
		willReturn(false).given(this.inventorySpy).isActiveVersion(eq(this.rotation.credentialId), anyInt());

		execute(job());
		execute(job());

		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_ROLLED_BACK);
		assertThat(this.rotation.response().status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		assertThat(this.rotation.credential().version(2).status()).isEqualTo("ROLLED_BACK");
	}

	@Test
	void shouldRotateOnceWhenApplyIsRetriedAfterATechnicalFailure() {
		ProcessInstance instance = approved();
		// First attempt rotates, then a technical failure rolls its transaction back; the retry must rotate once.
		willAnswer(invocation -> {
			invocation.callRealMethod();
			throw new IllegalStateException("connection reset after write");
		}).willAnswer(invocation -> invocation.callRealMethod())
			.given(this.inventorySpy)
			.rotate(eq(this.rotation.credentialId), anyInt(), anyInt(), anyString());

		org.assertj.core.api.Assertions.assertThatThrownBy(() -> execute(job()))
			.hasStackTraceContaining("connection reset after write");
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(1);
		execute(job());
		assertThat(instance).isEnded().hasPassed(SecretRotationProcess.END_COMPLETED);
		assertThat(this.rotation.credential().versions()).hasSize(2);
		assertThat(this.rotation.credential().currentVersion()).isEqualTo(2);
	}

}
