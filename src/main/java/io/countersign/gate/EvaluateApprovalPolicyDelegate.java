package io.countersign.gate;

import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

/**
 * The policy step a playbook runs before calling the gate. A denied action ends the playbook through the modelled
 * {@code POLICY_DENIED} error: nobody is asked, nothing is applied. The policy asked is the one deployed with this
 * process definition, which is also where the gate it calls next comes from.
 */
@Component("evaluateApprovalPolicyDelegate")
class EvaluateApprovalPolicyDelegate implements JavaDelegate {

	private final ApprovalGate gate;

	private final RepositoryService repositoryService;

	EvaluateApprovalPolicyDelegate(ApprovalGate gate, RepositoryService repositoryService) {
		this.gate = gate;
		this.repositoryService = repositoryService;
	}

	@Override
	public void execute(DelegateExecution execution) {
		String purpose = text(execution, ApprovalVariables.PURPOSE, ApprovalGate.DEFAULT_PURPOSE);
		ApprovalOptions options = ApprovalOptions.parse(text(execution, ApprovalVariables.OPTIONS, null));
		ApprovalRequest request = this.gate.open(execution.getProcessBusinessKey(), purpose, options,
				ModelsInUse.of(execution, this.repositoryService));
		execution.setVariable(ApprovalVariables.REQUEST_ID, request.id());
		execution.setVariable(ApprovalVariables.POLICY_RULE, request.policyRule());
		execution.setVariable(ApprovalVariables.POLICY_VERSION, request.policyVersion());
		if (request.status() == ApprovalRequest.Status.DENIED) {
			throw new BpmnError(ApprovalGateProcess.ERROR_POLICY_DENIED, request.deniedReason());
		}
		execution.setVariable(ApprovalVariables.FORM_REF,
				text(execution, ApprovalVariables.FORM_REF, ApprovalVariables.DEFAULT_FORM));
		// A required group must see the task: the quorum cannot complete without one of its members.
		execution.setVariable(ApprovalVariables.CANDIDATE_GROUPS, request.requiredGroup() == null
				|| request.requiredGroup().equals(request.approverGroup()) ? request.approverGroup()
						: request.approverGroup() + "," + request.requiredGroup());
		execution.setVariable(ApprovalVariables.ESCALATE_AFTER, request.escalateAfter());
		execution.setVariable(ApprovalVariables.EXPIRE_AFTER, request.expireAfter());
		execution.setVariable(ApprovalVariables.STATE, ApprovalRequest.Status.OPEN.name());
		execution.setVariable(ApprovalVariables.CONTAIN_FIRST, request.containFirst());
		execution.setVariable(ApprovalVariables.ROLLBACK_WINDOW, request.rollbackWindow());
		execution.setVariable(ApprovalVariables.STILL_NEEDED, request.requiredApprovals());
		execution.setVariable(ApprovalVariables.PROGRESS, "0 of " + request.requiredApprovals() + " approval(s)");
		execution.setVariable(ApprovalVariables.TASK_NAME, this.gate.taskName(request, 1));
	}

	private static String text(DelegateExecution execution, String name, String fallback) {
		Object value = execution.getVariable(name);
		return value == null || value.toString().isBlank() ? fallback : value.toString();
	}

}
