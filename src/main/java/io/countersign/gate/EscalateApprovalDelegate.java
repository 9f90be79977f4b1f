package io.countersign.gate;

import io.countersign.response.ResponseVariables;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.task.Task;

import org.springframework.stereotype.Component;

/**
 * Adds the escalation group as candidates of the open approval tasks. It only ever adds
 * approvers: the original candidates and the rules stay as they were.
 */
@Component("escalateApprovalDelegate")
class EscalateApprovalDelegate implements JavaDelegate {

	private final TaskService taskService;

	private final Responses responses;

	EscalateApprovalDelegate(TaskService taskService, Responses responses) {
		this.taskService = taskService;
		this.responses = responses;
	}

	@Override
	public void execute(DelegateExecution execution) {
		String group = (String) execution.getVariable(ResponseVariables.ESCALATION_GROUP);
		if (group == null || group.isBlank()) {
			throw new IllegalStateException("No escalation group is set for " + execution.getProcessBusinessKey());
		}
		for (Task task : this.taskService.createTaskQuery()
			.processInstanceId(execution.getProcessInstanceId())
			.active()
			.list()) {
			this.taskService.addCandidateGroup(task.getId(), group);
		}
		this.responses.event(execution.getProcessBusinessKey(), "ESCALATED", null,
				"Approval escalated to " + group);
	}

}
