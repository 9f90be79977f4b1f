package io.countersign.gate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.response.DetectionJoined;
import io.countersign.response.ResponseRecord;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.task.Task;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A detection that joins an open response may be more severe, or come from a stricter environment, than the one that
 * started it. The open approval request is then asked of the policy again, in the joining transaction, and made
 * stricter where the answer is: a larger quorum, a group one approval must come from. It never gets weaker, and
 * approvals already given keep counting. Containment and timers stay as they were set.
 */
@Component
class JoinedDetectionPolicy {

	private final ApprovalPolicy policy;

	private final ApprovalRequests requests;

	private final PolicyInputs inputs;

	private final Responses responses;

	private final Inventory inventory;

	private final TaskService taskService;

	private final RuntimeService runtimeService;

	private final CommandExecutor commands;

	JoinedDetectionPolicy(ApprovalPolicy policy, ApprovalRequests requests, PolicyInputs inputs, Responses responses,
			Inventory inventory, ProcessEngine engine) {
		this.taskService = engine.getTaskService();
		this.runtimeService = engine.getRuntimeService();
		this.commands = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
			.getCommandExecutorTxRequired();
		this.policy = policy;
		this.requests = requests;
		this.inputs = inputs;
		this.responses = responses;
		this.inventory = inventory;
	}

	@EventListener
	void joined(DetectionJoined joined) {
		Optional<ApprovalRequest> open = this.requests.latest(joined.responseId())
			.filter(request -> request.status() == ApprovalRequest.Status.OPEN);
		ResponseRecord response = this.responses.record(joined.responseId()).orElse(null);
		if (open.isEmpty() || response == null || response.stagedAction() == null) {
			// No request is open yet: when it opens, the policy reads every detection's severity.
			return;
		}
		ApprovalRequest request = open.get();
		Identity identity = this.inventory.find(response.identity()).orElse(null);
		if (identity == null) {
			return;
		}
		StagedAction action = StagedAction.fromJson(response.stagedAction());
		PolicyInput input = this.inputs.of(response, identity, action,
				new PolicyInputs.Reported(joined.severity(), joined.environment()));
		// The policy the request was opened under, not one deployed since: the response keeps its models.
		PolicyEvaluation evaluation = this.policy.evaluateRecorded(request.policyVersion(), input);
		if (evaluation.isDenied()) {
			this.responses.event(response.id(), "POLICY_REEVALUATED", joined.requester(), "Detection "
					+ joined.detection() + " asked the policy again: " + evaluation.deniedReason()
					+ "; the open request keeps rule '" + request.policyRule() + "'");
			return;
		}
		PolicyDecision decision = evaluation.decision();
		String group = request.requiredGroup();
		if (group == null && decision.requiredGroup() != null) {
			group = decision.requiredGroup();
		}
		else if (group == null && !decision.approverGroup().equals(request.approverGroup())) {
			// Another group answers the stricter inputs: one of the approvals must now come from it as well.
			group = decision.approverGroup();
		}
		int required = Math.max(request.requiredApprovals(), decision.requiredApprovals());
		if (group != null && !group.equals(request.approverGroup())) {
			required = Math.max(required, 2);
		}
		boolean stricter = required > request.requiredApprovals()
				|| (group != null && request.requiredGroup() == null);
		if (!stricter || !this.requests.raise(request.id(), decision.rule(), required, group)) {
			return;
		}
		addCandidateGroup(response.id(), request, group);
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("approvalRequest", request.id());
		data.put("detection", joined.detection());
		data.put("rule", decision.rule());
		data.put("policyVersion", evaluation.policyVersion());
		data.put("requiredApprovals", Map.of("from", request.requiredApprovals(), "to", required));
		data.put("requiredGroup", group == null ? "" : group);
		this.responses.event(response.id(), "POLICY_RAISED", joined.requester(), "Detection " + joined.detection()
				+ " (" + input.describe() + ") matches rule '" + decision.rule() + "': the open request now needs "
				+ required + " distinct approval(s)" + (group == null ? "" : ", one of them from " + group)
				+ "; it needed " + request.requiredApprovals() + ". Approvals given so far still count.", data);
	}

	/**
	 * The task that is open now must be visible to the group it now needs; the next one is created with it. Done for
	 * the gate, not as the integrator whose detection joined, who has no rights on tasks.
	 */
	private void addCandidateGroup(String responseId, ApprovalRequest request, String group) {
		String candidates = request.approverGroup() + (group == null || group.equals(request.approverGroup()) ? ""
				: "," + group);
		this.commands.execute(context -> context.runWithoutAuthorization(() -> {
			for (Task task : this.taskService.createTaskQuery()
				.processInstanceBusinessKey(responseId)
				.taskDefinitionKey(ApprovalGateProcess.TASK_APPROVE)
				.list()) {
				if (!request.id().equals(this.taskService.getVariable(task.getId(), ApprovalVariables.REQUEST_ID))) {
					continue;
				}
				if (group != null) {
					this.taskService.addCandidateGroup(task.getId(), group);
				}
				this.runtimeService.setVariable(task.getExecutionId(), ApprovalVariables.CANDIDATE_GROUPS, candidates);
			}
			return null;
		}));
	}

}
