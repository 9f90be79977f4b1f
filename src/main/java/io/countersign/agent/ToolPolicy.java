package io.countersign.agent;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

import io.countersign.gate.DecisionTables;
import io.countersign.security.Groups;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;

import org.springframework.stereotype.Service;

/**
 * Evaluates {@code bpmn/agent-tool-policy.dmn} as deployed with the asking {@code agent-tool-access} definition, never
 * the latest version by key: a policy deployed after a request was made does not decide for it. Fails closed: no
 * policy in that deployment, no matching rule, or a rule whose outputs make no sense all deny the call, with a reason
 * that says which.
 */
@Service
class ToolPolicy {

	static final String DECISION_KEY = "agent-tool-policy";

	/** The longest a standing grant may live, whatever the policy says. */
	static final int MAX_GRANT_DAYS = 30;

	private final RepositoryService repositoryService;

	private final DecisionService decisionService;

	ToolPolicy(RepositoryService repositoryService, DecisionService decisionService) {
		this.repositoryService = repositoryService;
		this.decisionService = decisionService;
	}

	/** @param processDefinitionId the definition of the process asking; its deployment's policy answers */
	ToolPolicyDecision evaluate(String processDefinitionId, String tool) {
		Optional<String> deployment = DecisionTables.deploymentOf(this.repositoryService, processDefinitionId);
		Optional<DecisionTables.Evaluation> evaluation = deployment.flatMap(id -> DecisionTables
			.evaluateInDeployment(this.repositoryService, this.decisionService, id, DECISION_KEY, Map.of("tool", tool)));
		if (evaluation.isEmpty()) {
			// Short: the reason is stored as the request's policy rule.
			return ToolPolicyDecision.denied(deployment.map(id -> "deployment " + id)
				.orElse("no deployment") + " holds no agent tool policy ('" + DECISION_KEY + "')", null);
		}
		// The version is the definition id, which names the deployment's policy; reasons name key and version.
		String definition = evaluation.get().definitionId();
		String version = evaluation.get().version();
		DmnDecisionTableResult result = evaluation.get().result();
		if (result.isEmpty()) {
			return ToolPolicyDecision.denied("no rule of " + version + " matches tool '" + tool + "'", definition);
		}
		Map<String, Object> outputs = result.getFirstResult().getEntryMap();
		String rule = text(outputs, "policyRule");
		try {
			return decision(rule, definition, outputs);
		}
		catch (IllegalArgumentException ex) {
			return ToolPolicyDecision.denied("rule '" + rule + "' of " + version + " is invalid: " + ex.getMessage(),
					definition);
		}
	}

	static ToolPolicyDecision decision(String rule, String version, Map<String, Object> outputs) {
		if (rule == null) {
			throw new IllegalArgumentException("policyRule is empty");
		}
		if (!Boolean.TRUE.equals(outputs.get("allowed"))) {
			return new ToolPolicyDecision(rule, version, false, null, null, 0, null, 0);
		}
		String reviewerGroup = text(outputs, "reviewerGroup");
		if (reviewerGroup == null || !Groups.APPROVER_GROUPS.contains(reviewerGroup)) {
			throw new IllegalArgumentException("reviewerGroup '" + reviewerGroup + "' is not one of "
					+ Groups.APPROVER_GROUPS.stream().sorted().toList());
		}
		Duration reviewTimeout;
		try {
			reviewTimeout = Duration.parse(String.valueOf(text(outputs, "reviewTimeout")));
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("reviewTimeout is not an ISO-8601 duration such as PT1H");
		}
		if (reviewTimeout.isNegative() || reviewTimeout.isZero()) {
			throw new IllegalArgumentException("reviewTimeout must be positive");
		}
		int maxDuration = whole(outputs, "maxDurationSeconds", AgentActionRequest.MIN_DURATION_SECONDS,
				AgentActionRequest.MAX_DURATION_SECONDS);
		String standingGrants = text(outputs, "standingGrants");
		GrantKind widest;
		if (standingGrants == null || standingGrants.equals("NONE")) {
			widest = null;
		}
		else {
			try {
				widest = GrantKind.valueOf(standingGrants);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("standingGrants '" + standingGrants
						+ "' is not NONE, EXACT_ARGUMENTS, ARGUMENT_PATTERN or TOOL");
			}
		}
		int maxGrantDays = widest == null ? 0 : whole(outputs, "maxGrantDays", 1, MAX_GRANT_DAYS);
		return new ToolPolicyDecision(rule, version, true, reviewerGroup, reviewTimeout, maxDuration, widest,
				maxGrantDays);
	}

	private static int whole(Map<String, Object> outputs, String name, int min, int max) {
		Object value = outputs.get(name);
		if (!(value instanceof Number number) || number.longValue() < min || number.longValue() > max) {
			throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", not "
					+ value);
		}
		return number.intValue();
	}

	private static String text(Map<String, Object> outputs, String name) {
		Object value = outputs.get(name);
		return value == null || value.toString().isBlank() ? null : value.toString().strip();
	}

}
