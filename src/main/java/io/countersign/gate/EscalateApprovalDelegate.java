package io.countersign.gate;

import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.task.Task;

import org.springframework.stereotype.Component;

/**
 * Adds the policy's escalation group to the open approval task and to the tasks still to come. It only ever adds
 * approvers: the quorum and the approvals already given stay as they were.
 */
@Component("escalateApprovalDelegate")
class EscalateApprovalDelegate implements JavaDelegate {

	private final ApprovalGate gate;

	private final TaskService taskService;

	EscalateApprovalDelegate(ApprovalGate gate, TaskService taskService) {
		this.gate = gate;
		this.taskService = taskService;
	}

	@Override
	public void execute(DelegateExecution execution) {
		ApprovalRequest request = this.gate.escalate((String) execution.getVariable(ApprovalVariables.REQUEST_ID),
				execution.getProcessBusinessKey());
		execution.setVariable(ApprovalVariables.CANDIDATE_GROUPS,
				String.join(",", ApprovalGate.allowedGroups(request)));
		for (Task task : this.taskService.createTaskQuery()
			.processInstanceId(execution.getProcessInstanceId())
			.active()
			.list()) {
			this.taskService.addCandidateGroup(task.getId(), request.escalationGroup());
		}
	}

}
