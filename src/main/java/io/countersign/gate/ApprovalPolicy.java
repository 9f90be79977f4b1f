package io.countersign.gate;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

import io.countersign.security.Groups;
import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;

import org.springframework.stereotype.Service;

/**
 * Evaluates {@code bpmn/approval-policy.dmn} as deployed with the process that asks, never the latest version by key:
 * a policy deployed after a response started does not decide for it. Fails closed: no policy in that deployment, no
 * matching rule, or a rule whose outputs make no sense all deny the action, with a reason that says which.
 */
@Service
class ApprovalPolicy {

	static final String DECISION_KEY = "approval-policy";

	static final int MAX_REQUIRED_APPROVALS = 5;

	private final RepositoryService repositoryService;

	private final DecisionService decisionService;

	ApprovalPolicy(RepositoryService repositoryService, DecisionService decisionService) {
		this.repositoryService = repositoryService;
		this.decisionService = decisionService;
	}

	/** Asks the policy of deployment {@code deploymentId}, the one the asking process definition came from. */
	PolicyEvaluation evaluate(String deploymentId, PolicyInput input) {
		return answer(DecisionTables.evaluateInDeployment(this.repositoryService, this.decisionService, deploymentId,
				DECISION_KEY, input.variables()), input,
				"deployment " + deploymentId + " holds no approval policy (decision '" + DECISION_KEY
						+ "'); every deployment must hold the complete model set");
	}

	/** Asks again the policy a request was opened under, as recorded in its {@code policyVersion}. */
	PolicyEvaluation evaluateRecorded(String policyVersion, PolicyInput input) {
		return answer(DecisionTables.evaluateRecorded(this.repositoryService, this.decisionService, policyVersion,
				input.variables()), input, "the approval policy " + policyVersion + " is no longer deployed");
	}

	private static PolicyEvaluation answer(Optional<DecisionTables.Evaluation> evaluation, PolicyInput input,
			String missing) {
		if (evaluation.isEmpty()) {
			return PolicyEvaluation.denied(missing, null);
		}
		// Recorded as the definition id, which names the deployment's policy; reasons name its key and version.
		String definition = evaluation.get().definitionId();
		String version = evaluation.get().version();
		DmnDecisionTableResult result = evaluation.get().result();
		if (result.isEmpty()) {
			return PolicyEvaluation.denied("no rule of " + version + " matches " + input.describe(), definition);
		}
		DmnDecisionRuleResult outputs = result.getFirstResult();
		String rule = text(outputs.getEntryMap(), "policyRule");
		try {
			return new PolicyEvaluation(decision(rule, outputs.getEntryMap()), null, definition);
		}
		catch (IllegalArgumentException ex) {
			return PolicyEvaluation.denied("rule '" + rule + "' of " + version + " is invalid: " + ex.getMessage(),
					definition);
		}
	}

	private static PolicyDecision decision(String rule, Map<String, Object> outputs) {
		if (rule == null || rule.isBlank()) {
			throw new IllegalArgumentException("policyRule is empty");
		}
		String approverGroup = text(outputs, "approverGroup");
		if (approverGroup == null || !Groups.APPROVER_GROUPS.contains(approverGroup)) {
			throw new IllegalArgumentException("approverGroup '" + approverGroup + "' is not one of "
					+ Groups.APPROVER_GROUPS.stream().sorted().toList());
		}
		Object required = outputs.get("requiredApprovals");
		if (!(required instanceof Number number) || number.intValue() < 1
				|| number.intValue() > MAX_REQUIRED_APPROVALS) {
			throw new IllegalArgumentException(
					"requiredApprovals must be a whole number from 1 to " + MAX_REQUIRED_APPROVALS + ", not " + required);
		}
		String escalationGroup = text(outputs, "escalationGroup");
		if (escalationGroup == null || !Groups.APPROVER_GROUPS.contains(escalationGroup)) {
			throw new IllegalArgumentException("escalationGroup '" + escalationGroup + "' is not an approver group");
		}
		Duration expireAfter = duration(outputs, "expireAfter");
		Duration escalateAfter = duration(outputs, "escalateAfter");
		if (escalateAfter.compareTo(expireAfter) >= 0) {
			throw new IllegalArgumentException("escalateAfter " + escalateAfter + " is not before expireAfter "
					+ expireAfter);
		}
		Object containFirst = outputs.get("containFirst");
		if (containFirst != null && !(containFirst instanceof Boolean)) {
			throw new IllegalArgumentException("containFirst must be true, false or empty, not " + containFirst);
		}
		String requiredGroup = text(outputs, "requiredGroup");
		if (requiredGroup != null && !Groups.APPROVER_GROUPS.contains(requiredGroup)) {
			throw new IllegalArgumentException("requiredGroup '" + requiredGroup + "' is not an approver group");
		}
		if (requiredGroup != null && number.intValue() < 2 && !requiredGroup.equals(approverGroup)) {
			throw new IllegalArgumentException("requiredGroup " + requiredGroup + " needs requiredApprovals of 2 or more");
		}
		Duration rollbackWindow = text(outputs, "rollbackWindow") == null ? null : duration(outputs, "rollbackWindow");
		return new PolicyDecision(rule.strip(), approverGroup, number.intValue(), escalateAfter, escalationGroup,
				expireAfter, Boolean.TRUE.equals(containFirst), requiredGroup, rollbackWindow);
	}

	private static Duration duration(Map<String, Object> outputs, String name) {
		String text = text(outputs, name);
		if (text == null) {
			throw new IllegalArgumentException(name + " is empty");
		}
		try {
			Duration duration = Duration.parse(text);
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, not " + text);
			}
			return duration;
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(name + " '" + text + "' is not an ISO-8601 duration such as PT4H");
		}
	}

	private static String text(Map<String, Object> outputs, String name) {
		Object value = outputs.get(name);
		return value == null || value.toString().isBlank() ? null : value.toString().strip();
	}

}
