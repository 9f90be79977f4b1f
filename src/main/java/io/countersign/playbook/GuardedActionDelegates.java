package io.countersign.playbook;

import io.countersign.action.ConnectorException;
import io.countersign.gate.ExecutionBlockedException;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

/** The service tasks of {@code bpmn/guarded-action.bpmn}: each reads the purpose and calls one step. */
final class GuardedActionDelegates {

	private GuardedActionDelegates() {
	}

	static String purpose(DelegateExecution execution) {
		Object purpose = execution.getVariable(GuardedActionProcess.PURPOSE);
		return purpose == null || purpose.toString().isBlank() ? GuardedActions.APPLY : purpose.toString();
	}

	@Component("containBeforeDecisionDelegate")
	static class Contain implements JavaDelegate {

		private final GuardedActions actions;

		Contain(GuardedActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			execution.setVariable(GuardedActionProcess.CONTAINMENT,
					this.actions.contain(execution.getProcessBusinessKey()) + " since " + java.time.Instant.now()
							+ ". Rejecting this request undoes it.");
		}

	}

	@Component("releaseContainmentDelegate")
	static class ReleaseContainment implements JavaDelegate {

		private final GuardedActions actions;

		ReleaseContainment(GuardedActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			this.actions.releaseContainment(execution.getProcessBusinessKey(),
					"the request ended " + execution.getVariable("gateOutcome"));
		}

	}

	@Component("applyGuardedActionDelegate")
	static class Apply implements JavaDelegate {

		private final GuardedActions actions;

		Apply(GuardedActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			try {
				this.actions.apply(execution.getProcessBusinessKey(), purpose(execution));
			}
			catch (ExecutionBlockedException ex) {
				throw new BpmnError(GuardedActionProcess.ERROR_EXECUTION_BLOCKED, ex.getMessage());
			}
			catch (ConnectorException ex) {
				throw new BpmnError(GuardedActionProcess.ERROR_APPLY_FAILED, ex.getMessage());
			}
		}

	}

	@Component("verifyGuardedActionDelegate")
	static class Verify implements JavaDelegate {

		private final GuardedActions actions;

		Verify(GuardedActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			try {
				this.actions.verify(execution.getProcessBusinessKey(), purpose(execution));
			}
			catch (ExecutionBlockedException ex) {
				throw new BpmnError(GuardedActionProcess.ERROR_EXECUTION_BLOCKED, ex.getMessage());
			}
			catch (ConnectorException ex) {
				throw new BpmnError(GuardedActionProcess.ERROR_APPLY_FAILED, "verification failed: " + ex.getMessage());
			}
		}

	}

	@Component("rollbackGuardedActionDelegate")
	static class Rollback implements JavaDelegate {

		private final GuardedActions actions;

		Rollback(GuardedActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			this.actions.rollback(execution.getProcessBusinessKey(), purpose(execution));
		}

	}

}
