package io.countersign.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.countersign.gate.ApprovalCard;
import io.countersign.gate.ApprovalCardSource;
import io.countersign.gate.CardText;
import io.countersign.inventory.PrivilegeLevel;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;

import org.springframework.stereotype.Component;

/**
 * The cards of agent tool-call reviews, from the stored request: "Let agent research-bot call tickets.close for
 * 15 min with scope tickets:write", a risk line with the privilege level its scope implies, and the review's deadline
 * (the deployed tool policy's review timeout from the request's creation).
 */
@Component
class AgentReviewCards implements ApprovalCardSource {

	private final TaskService taskService;

	private final RuntimeService runtimeService;

	private final AgentActionStore store;

	private final ToolPolicy policy;

	AgentReviewCards(TaskService taskService, RuntimeService runtimeService, AgentActionStore store,
			ToolPolicy policy) {
		this.taskService = taskService;
		this.runtimeService = runtimeService;
		this.store = store;
		this.policy = policy;
	}

	@Override
	public Optional<ApprovalCard> card(String taskId) {
		return reviewTask(taskId).flatMap(review -> card(taskId, review.actionId(), review.processDefinitionId()));
	}

	/** The agent action a review task decides, and the definition it runs in; empty for any other task. */
	Optional<ReviewTask> reviewTask(String taskId) {
		Task task = this.taskService.createTaskQuery()
			.taskId(taskId)
			.processDefinitionKey(AgentToolAccessProcess.KEY)
			.taskDefinitionKey(AgentToolAccessProcess.TASK_REVIEW)
			.singleResult();
		if (task == null) {
			return Optional.empty();
		}
		ProcessInstance instance = this.runtimeService.createProcessInstanceQuery()
			.processInstanceId(task.getProcessInstanceId())
			.singleResult();
		if (instance == null || instance.getBusinessKey() == null) {
			return Optional.empty();
		}
		return Optional.of(new ReviewTask(instance.getBusinessKey(), task.getProcessDefinitionId()));
	}

	record ReviewTask(String actionId, String processDefinitionId) {
	}

	/** For a task being created, which no query finds yet. */
	Optional<ApprovalCard> card(String taskId, String actionId, String processDefinitionId) {
		return this.store.find(actionId).map(action -> card(taskId, action, deadline(action, processDefinitionId)));
	}

	static ApprovalCard card(String taskId, AgentAction action, Instant dueAt) {
		return new ApprovalCard(taskId, action.id(), AgentToolAccessProcess.KEY, summary(action, CardText.PLAIN),
				riskLine(action, CardText.PLAIN), action.reviewerGroup() == null ? List.of() : List.of(action.reviewerGroup()),
				action.accountId(), dueAt, null, ApprovalCard.priority(null), columns(action));
	}

	private static Map<String, String> columns(AgentAction action) {
		Map<String, String> columns = new LinkedHashMap<>();
		columns.put("agent", action.agent());
		columns.put("tool", action.tool());
		return columns;
	}

	/** "Let agent research-bot call tickets.close for 15 min with scope tickets:write tickets:read". */
	static String summary(AgentAction action, UnaryOperator<String> name) {
		return "Let agent " + name.apply(action.agent()) + " call " + name.apply(action.tool()) + " for "
				+ CardText.duration(Duration.ofSeconds(action.requestedDuration()))
				+ (action.scope() == null || action.scope().isBlank() ? ""
						: " with scope " + name.apply(action.scope()));
	}

	/** "account research-bot · write privileges (from its scope) · policy rule agent-tool-default". */
	static String riskLine(AgentAction action, UnaryOperator<String> name) {
		boolean markdown = name == CardText.MARKDOWN;
		PrivilegeLevel level = PrivilegeLevel.infer(action.scopeTokens());
		String privileges = level.json() + " privileges (from its scope)";
		return "account " + name.apply(action.accountId()) + " · "
				+ (level == PrivilegeLevel.READ || !markdown ? privileges : "**" + privileges + "**")
				+ (action.policyRule() == null ? "" : " · policy rule " + name.apply(action.policyRule()));
	}

	private Instant deadline(AgentAction action, String processDefinitionId) {
		if (action.createdAt() == null || processDefinitionId == null) {
			return null;
		}
		ToolPolicyDecision decision = this.policy.evaluate(processDefinitionId, action.tool());
		return decision.allowed() && decision.reviewTimeout() != null ? action.createdAt().plus(decision.reviewTimeout())
				: null;
	}

}
