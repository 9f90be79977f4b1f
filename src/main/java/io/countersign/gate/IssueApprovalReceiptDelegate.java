package io.countersign.gate;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

/**
 * Issues the signed receipt for a reached quorum. The receipt stays in the decision store, not in a process
 * variable: anyone allowed to read the instance would otherwise hold a token a connector accepts.
 */
@Component("issueApprovalReceiptDelegate")
class IssueApprovalReceiptDelegate implements JavaDelegate {

	private final ApprovalGate gate;

	IssueApprovalReceiptDelegate(ApprovalGate gate) {
		this.gate = gate;
	}

	@Override
	public void execute(DelegateExecution execution) {
		this.gate.issueReceipt((String) execution.getVariable(ApprovalVariables.REQUEST_ID),
				execution.getProcessBusinessKey());
	}

}
