package io.countersign.gate;

import io.countersign.response.ElementProperties;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

import org.springframework.stereotype.Component;

/**
 * Runs on the gate's end events and hands the outcome (the end event's {@code gateOutcome} property) to the calling
 * playbook. An {@code APPROVED} end without an approved request in the decision store is a broken diagram or a
 * tampered instance: it stops with an incident rather than letting the playbook apply.
 */
@Component("approvalGateOutcomeListener")
class ApprovalGateOutcomeListener implements ExecutionListener {

	static final String OUTCOME_PROPERTY = "gateOutcome";

	private final ApprovalGate gate;

	ApprovalGateOutcomeListener(ApprovalGate gate) {
		this.gate = gate;
	}

	@Override
	public void notify(DelegateExecution execution) {
		String outcome = ElementProperties.of(execution, OUTCOME_PROPERTY).orElseThrow(() -> new IllegalStateException(
				"End event " + execution.getCurrentActivityId() + " has no extension property '" + OUTCOME_PROPERTY + "'"));
		String requestId = (String) execution.getVariable(ApprovalVariables.REQUEST_ID);
		String responseId = execution.getProcessBusinessKey();
		ApprovalRequest.Status expected = ApprovalRequest.Status.valueOf(outcome);
		if (expected == ApprovalRequest.Status.EXPIRED) {
			this.gate.expire(requestId, responseId);
		}
		ApprovalRequest request = this.gate.request(requestId, responseId);
		if (request.status() != expected) {
			throw new IllegalStateException("The gate reached " + outcome + " but approval request " + requestId
					+ " is " + request.status() + " in the decision store");
		}
		execution.setVariable(ApprovalVariables.GATE_OUTCOME, outcome);
	}

}
