package io.countersign.agent;

import java.util.HashMap;
import java.util.Map;

import io.countersign.gate.TaskFormFacts;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;

import org.springframework.stereotype.Component;

/**
 * What the review form shows about the agent's request, read from the stored request: a second reviewer who rewrites
 * the display variables cannot show the first a harmless tool call.
 */
@Component
class AgentReviewFormFacts implements TaskFormFacts {

	private final TaskService taskService;

	private final RuntimeService runtimeService;

	private final AgentActionStore store;

	AgentReviewFormFacts(TaskService taskService, RuntimeService runtimeService, AgentActionStore store) {
		this.taskService = taskService;
		this.runtimeService = runtimeService;
		this.store = store;
	}

	@Override
	public Map<String, Object> facts(String taskId) {
		Task task = this.taskService.createTaskQuery()
			.taskId(taskId)
			.processDefinitionKey(AgentToolAccessProcess.KEY)
			.taskDefinitionKey(AgentToolAccessProcess.TASK_REVIEW)
			.singleResult();
		if (task == null) {
			return Map.of();
		}
		ProcessInstance instance = this.runtimeService.createProcessInstanceQuery()
			.processInstanceId(task.getProcessInstanceId())
			.singleResult();
		if (instance == null || instance.getBusinessKey() == null) {
			return Map.of();
		}
		return this.store.find(instance.getBusinessKey()).map(AgentReviewFormFacts::facts).orElse(Map.of());
	}

	private static Map<String, Object> facts(AgentAction action) {
		Map<String, Object> facts = new HashMap<>();
		facts.put(AgentToolAccessProcess.AGENT, action.agent());
		facts.put(AgentToolAccessProcess.ACCOUNT, action.accountId());
		facts.put(AgentToolAccessProcess.TOOL, action.tool());
		facts.put(AgentToolAccessProcess.ARGUMENTS_DISPLAY, AgentActions.display(action.argumentsJson()));
		facts.put(AgentToolAccessProcess.PURPOSE, action.purpose());
		facts.put(AgentToolAccessProcess.SCOPE, action.scope());
		facts.put(AgentToolAccessProcess.REQUESTED_DURATION, action.requestedDuration());
		facts.put(AgentToolAccessProcess.REQUEST_HASH, action.requestHash());
		facts.put(AgentToolAccessProcess.POLICY_RULE, action.policyRule());
		return facts;
	}

}
