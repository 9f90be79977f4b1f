package io.countersign.playbook;

import io.countersign.response.ElementProperties;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

import org.springframework.stereotype.Component;

/**
 * Hands a guarded action's outcome to the calling playbook: the end event's {@code actionOutcome} property, or, on
 * the end reached without approval, the gate's own outcome ({@code FROM_GATE}), so a playbook routes on one variable.
 */
@Component("actionOutcomeListener")
class ActionOutcomeListener implements ExecutionListener {

	static final String PROPERTY = "actionOutcome";

	static final String FROM_GATE = "FROM_GATE";

	@Override
	public void notify(DelegateExecution execution) {
		String outcome = ElementProperties.of(execution, PROPERTY).orElseThrow(() -> new IllegalStateException(
				"End event " + execution.getCurrentActivityId() + " has no extension property '" + PROPERTY + "'"));
		if (FROM_GATE.equals(outcome)) {
			Object gate = execution.getVariable("gateOutcome");
			if (gate == null) {
				throw new IllegalStateException("The gate returned no outcome to " + execution.getCurrentActivityId());
			}
			outcome = gate.toString();
		}
		execution.setVariable(GuardedActionProcess.OUTCOME, outcome);
	}

}
