package io.countersign.playbook.quarantine;

import java.util.Map;

import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.inventory.Environment;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
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
class IdentityQuarantineProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	private PlaybookScenario scenario;

	private ProcessInstance detected(Environment environment, Severity severity) {
		this.scenario = new PlaybookScenario(this.engine, this.inventory, this.responses, environment, "team-test",
				false);
		return this.scenario.start("identity-quarantine", severity, environment, null, null, "scanner");
	}

	@Test
	void shouldQuarantineNowAndReleaseOnlyWithALeadsApproval() {
		ProcessInstance instance = detected(Environment.STAGING, Severity.HIGH);

		this.scenario.approveAs("alice");

		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.QUARANTINED);
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.APPLIED);
		assertThat(instance).isWaitingAt("Task_RequestRelease");

		this.scenario.complete("Task_RequestRelease", "alice", Map.of("reason", "False positive: a load test"));
		assertThat(this.scenario.response().stagedAction().type()).isEqualTo("identity.release");
		assertThat(this.scenario.response().approvals()).last()
			.satisfies(approval -> assertThat(approval.approverGroup()).isEqualTo("security-leads"));
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.QUARANTINED);

		this.scenario.approveAs("dave");

		assertThat(instance).isEnded().hasPassed("EndEvent_Released");
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
	}

	@Test
	void shouldStayQuarantinedWhenTheReleaseIsRejectedAndTheReviewPeriodEnds() {
		ProcessInstance instance = detected(Environment.STAGING, Severity.HIGH);
		this.scenario.approveAs("alice");
		this.scenario.complete("Task_RequestRelease", "alice", Map.of("reason", "Owner asks"));

		this.scenario.rejectAs("dave");

		assertThat(instance).isWaitingAt("Task_RequestRelease");
		this.scenario.fireTimer("BoundaryEvent_ReleaseWindowClosed");
		assertThat(instance).isEnded().hasPassed("EndEvent_QuarantineCompleted");
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.QUARANTINED);
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.COMPLETED);
	}

	@Test
	void shouldKeepMonitoringThenAskAgainWhenThePeriodEnds() {
		ProcessInstance instance = detected(Environment.STAGING, Severity.HIGH);

		this.scenario.decide("alice", "DEFER", Map.of("monitorFor", "P1D"));

		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.MONITORING);
		assertThat(instance).isWaitingAt("TimerEvent_MonitoringPeriodOver");
		assertThat(this.scenario.openTasks()).isEmpty();

		this.scenario.fireTimer("TimerEvent_MonitoringPeriodOver");

		assertThat(this.scenario.task(ApprovalGateProcess.TASK_APPROVE)).isNotNull();
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.AWAITING_APPROVAL);
		assertThat(this.scenario.response().approvals()).extracting(a -> a.status())
			.containsExactly("DEFERRED", "OPEN");
		this.scenario.approveAs("alice");
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.QUARANTINED);
	}

	@Test
	void shouldRefuseAMonitoringPeriodOutOfBounds() {
		detected(Environment.STAGING, Severity.HIGH);

		assertThatThrownBy(() -> this.scenario.decide("alice", "DEFER", Map.of("monitorFor", "P90D")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("monitorFor");
		assertThatThrownBy(() -> this.scenario.decide("alice", "NARROW", Map.of("narrowedTo", "x")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("APPROVE, REJECT, DEFER");
	}

	@Test
	void shouldDismissWithAReasonAndChangeNothing() {
		ProcessInstance instance = detected(Environment.STAGING, Severity.HIGH);

		this.scenario.rejectAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_QuarantineDismissed");
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.REJECTED);
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
	}

	@Test
	void shouldChangeNothingWhenNobodyDecidesInTime() {
		ProcessInstance instance = detected(Environment.STAGING, Severity.HIGH);

		this.scenario.fireTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(instance).isEnded().hasPassed("EndEvent_QuarantineExpired");
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
	}

	@Test
	void shouldSuspendFirstWhenPolicyAllowsAndUndoItWhenDismissed() {
		detected(Environment.PRODUCTION, Severity.CRITICAL);
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.SUSPENDED);

		this.scenario.rejectAs("alice");

		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
		assertThat(this.scenario.timeline()).containsSubsequence("CONTAINED", "CONTAINMENT_RELEASED");
	}

	@Test
	void shouldUndoTheSuspensionWhileMonitoring() {
		detected(Environment.PRODUCTION, Severity.CRITICAL);
		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.SUSPENDED);

		this.scenario.decide("alice", "DEFER", Map.of("monitorFor", "PT4H"));

		assertThat(this.scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.MONITORING);
	}

}
