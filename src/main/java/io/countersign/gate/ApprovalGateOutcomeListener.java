package io.countersign.gate;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

	/** The property value of the end event every non-approving decision reaches. */
	static final String NOT_APPROVED = "NOT_APPROVED";

	private static final Set<ApprovalRequest.Status> CLOSED_WITHOUT_APPROVAL = EnumSet.of(
			ApprovalRequest.Status.REJECTED, ApprovalRequest.Status.REVISED, ApprovalRequest.Status.DEFERRED);

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
		if (NOT_APPROVED.equals(outcome)) {
			// Rejected, narrowed or deferred: the decision store says which, and what the approver submitted.
			ApprovalRequest request = this.gate.request(requestId, responseId);
			if (!CLOSED_WITHOUT_APPROVAL.contains(request.status())) {
				throw new IllegalStateException("The gate ended without approval but approval request " + requestId
						+ " is " + request.status() + " in the decision store");
			}
			Map<String, Object> details = this.gate.closingDetails(request);
			if (request.status() == ApprovalRequest.Status.REVISED) {
				execution.setVariable(ApprovalVariables.NARROWED_TO,
						String.join(",", ((List<?>) details.get(ApprovalVariables.NARROWED_TO)).stream()
							.map(Object::toString)
							.toList()));
			}
			if (request.status() == ApprovalRequest.Status.DEFERRED) {
				execution.setVariable(ApprovalVariables.MONITOR_FOR, details.get(ApprovalVariables.MONITOR_FOR));
			}
			execution.setVariable(ApprovalVariables.GATE_OUTCOME, request.status().name());
			return;
		}
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
