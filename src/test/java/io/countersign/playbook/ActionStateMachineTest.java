package io.countersign.playbook;

import io.countersign.playbook.ActionStateMachine.ActionState;
import io.countersign.playbook.ActionStateMachine.Step;
import io.countersign.response.ResponseStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of which step may run in which state: each attack's state is refused, the approved path's allowed. */
class ActionStateMachineTest {

	@Test
	void shouldAllowTheApprovedPath() {
		assertThat(ActionStateMachine.allows(Step.CONTAIN, ResponseStatus.AWAITING_APPROVAL, ActionState.STAGED)).isTrue();
		assertThat(ActionStateMachine.allows(Step.APPLY, ResponseStatus.AWAITING_APPROVAL, ActionState.STAGED)).isTrue();
		assertThat(ActionStateMachine.allows(Step.VERIFY, ResponseStatus.APPLYING, ActionState.APPLIED)).isTrue();
		assertThat(ActionStateMachine.allows(Step.ROLLBACK, ResponseStatus.APPLYING, ActionState.APPLIED)).isTrue();
		// An apply that failed before it changed anything rolls back nothing.
		assertThat(ActionStateMachine.allows(Step.ROLLBACK, ResponseStatus.APPLYING, ActionState.STAGED)).isTrue();
		assertThat(ActionStateMachine.allows(Step.RELEASE_CONTAINMENT, ResponseStatus.AWAITING_APPROVAL,
				ActionState.APPLIED)).isTrue();
	}

	@Test
	void shouldRefuseRollbackOfAnActionThatStands() {
		assertThat(ActionStateMachine.allows(Step.ROLLBACK, ResponseStatus.COMPLETED, ActionState.VERIFIED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.ROLLBACK, ResponseStatus.APPLIED, ActionState.VERIFIED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.ROLLBACK, ResponseStatus.COMPLETED, ActionState.APPLIED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.ROLLBACK, ResponseStatus.APPLYING, ActionState.NONE)).isFalse();
	}

	@Test
	void shouldRefuseApplyOnAResponseThatEndedOrAnActionAlreadyApplied() {
		for (ResponseStatus status : ResponseStatus.values()) {
			if (status.isTerminal()) {
				assertThat(ActionStateMachine.allows(Step.APPLY, status, ActionState.STAGED)).as(status.name()).isFalse();
			}
		}
		assertThat(ActionStateMachine.allows(Step.APPLY, ResponseStatus.APPLYING, ActionState.APPLIED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.APPLY, ResponseStatus.AWAITING_APPROVAL, ActionState.ROLLED_BACK))
			.isFalse();
		assertThat(ActionStateMachine.allows(Step.APPLY, ResponseStatus.STAGING, ActionState.STAGED)).isFalse();
	}

	@Test
	void shouldStageOnlyWhileTheResponseIsOpenAndUndoOnlyWhatStands() {
		assertThat(ActionStateMachine.allows(Step.STAGE, ResponseStatus.STAGING, ActionState.NONE)).isTrue();
		assertThat(ActionStateMachine.allows(Step.STAGE, ResponseStatus.MONITORING, ActionState.STAGED)).isTrue();
		assertThat(ActionStateMachine.allows(Step.STAGE, ResponseStatus.COMPLETED, ActionState.STAGED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.STAGE, ResponseStatus.FAILED, ActionState.NONE)).isFalse();
		assertThat(ActionStateMachine.allows(Step.STAGE, ResponseStatus.AWAITING_APPROVAL, ActionState.VERIFIED))
			.isFalse();
		assertThat(ActionStateMachine.allows(Step.STAGE_UNDO, ResponseStatus.APPLIED, ActionState.VERIFIED)).isTrue();
		assertThat(ActionStateMachine.allows(Step.STAGE_UNDO, ResponseStatus.COMPLETED, ActionState.VERIFIED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.STAGE_UNDO, ResponseStatus.APPLIED, ActionState.ROLLED_BACK))
			.isFalse();
	}

	@Test
	void shouldRefuseVerifyAndContainOutsideTheirRun() {
		assertThat(ActionStateMachine.allows(Step.VERIFY, ResponseStatus.AWAITING_APPROVAL, ActionState.STAGED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.VERIFY, ResponseStatus.COMPLETED, ActionState.VERIFIED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.CONTAIN, ResponseStatus.COMPLETED, ActionState.STAGED)).isFalse();
		assertThat(ActionStateMachine.allows(Step.RELEASE_CONTAINMENT, ResponseStatus.COMPLETED, ActionState.APPLIED))
			.isFalse();
	}

}
