package io.countersign.gate;

import io.countersign.notify.Notifications;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.task.Task;

import org.springframework.stereotype.Component;

/**
 * Adds the policy's escalation group to the open approval task and to the tasks still to come. It only ever adds
 * approvers: the quorum and the approvals already given stay as they were. The escalation group is notified once
 * the escalation has committed.
 */
@Component("escalateApprovalDelegate")
class EscalateApprovalDelegate implements JavaDelegate {

	private final ApprovalGate gate;

	private final TaskService taskService;

	private final Notifications notifications;

	EscalateApprovalDelegate(ApprovalGate gate, TaskService taskService, Notifications notifications) {
		this.gate = gate;
		this.taskService = taskService;
		this.notifications = notifications;
	}

	@Override
	public void execute(DelegateExecution execution) {
		ApprovalRequest request = this.gate.escalate((String) execution.getVariable(ApprovalVariables.REQUEST_ID),
				execution.getProcessBusinessKey());
		execution.setVariable(ApprovalVariables.CANDIDATE_GROUPS,
				String.join(",", ApprovalGate.allowedGroups(request)));
		Quorum quorum = this.gate.quorum(request);
		for (Task task : this.taskService.createTaskQuery()
			.processInstanceId(execution.getProcessInstanceId())
			.active()
			.list()) {
			this.taskService.addCandidateGroup(task.getId(), request.escalationGroup());
			this.notifications.escalated(this.gate.escalation(request, quorum, task.getId(), task.getName()));
		}
	}

}
