package io.countersign.gate;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;

/**
 * Evaluates a policy table on the policy's behalf, naming the definition that answered. A policy is never the latest
 * version by key: it is the one deployed with the process that asks (see docs/adr/0002-model-binding.md), so a policy
 * deployed after a response started never decides for it.
 */
public final class DecisionTables {

	/** How requests opened before decisions were pinned recorded their policy: {@code approval-policy:3}. */
	private static final Pattern KEY_AND_VERSION = Pattern.compile("(.+):(\\d{1,9})");

	private DecisionTables() {
	}

	/**
	 * @param definitionId the id of the decision definition that answered, as recorded with what it decided
	 * @param version the decision's key and version ({@code approval-policy:3})
	 * @param deploymentId the deployment it came from
	 */
	public record Evaluation(String definitionId, String version, String deploymentId, DmnDecisionTableResult result) {
	}

	/** The deployment a process definition came from; empty when there is no such definition. */
	public static Optional<String> deploymentOf(RepositoryService repositoryService, String processDefinitionId) {
		if (processDefinitionId == null) {
			return Optional.empty();
		}
		return Optional.ofNullable(WithoutAuthorization.call(() -> repositoryService.createProcessDefinitionQuery()
			.processDefinitionId(processDefinitionId)
			.singleResult())).map(ProcessDefinition::getDeploymentId);
	}

	/**
	 * Evaluates the decision {@code key} of deployment {@code deploymentId}. Evaluated by id, so the version recorded
	 * is the version that answered; without authorization checks, so an approver completing a task need not hold
	 * rights on decision definitions.
	 * @return empty when that deployment holds no such decision
	 */
	public static Optional<Evaluation> evaluateInDeployment(RepositoryService repositoryService,
			DecisionService decisionService, String deploymentId, String key, Map<String, Object> variables) {
		if (deploymentId == null) {
			return Optional.empty();
		}
		return evaluate(decisionService, WithoutAuthorization.call(() -> repositoryService
			.createDecisionDefinitionQuery()
			.deploymentId(deploymentId)
			.decisionDefinitionKey(key)
			.singleResult()), variables);
	}

	/**
	 * Evaluates the decision definition recorded as {@code recorded}: its id, or for records made before decisions
	 * were pinned, its key and version.
	 * @return empty when no such decision is deployed
	 */
	public static Optional<Evaluation> evaluateRecorded(RepositoryService repositoryService,
			DecisionService decisionService, String recorded, Map<String, Object> variables) {
		if (recorded == null) {
			return Optional.empty();
		}
		DecisionDefinition definition = WithoutAuthorization.call(() -> repositoryService
			.createDecisionDefinitionQuery()
			.decisionDefinitionId(recorded)
			.singleResult());
		Matcher keyAndVersion = KEY_AND_VERSION.matcher(recorded);
		if (definition == null && keyAndVersion.matches()) {
			definition = WithoutAuthorization.call(() -> repositoryService.createDecisionDefinitionQuery()
				.decisionDefinitionKey(keyAndVersion.group(1))
				.decisionDefinitionVersion(Integer.parseInt(keyAndVersion.group(2)))
				.withoutTenantId()
				.singleResult());
		}
		return evaluate(decisionService, definition, variables);
	}

	private static Optional<Evaluation> evaluate(DecisionService decisionService, DecisionDefinition definition,
			Map<String, Object> variables) {
		if (definition == null) {
			return Optional.empty();
		}
		DmnDecisionTableResult result = WithoutAuthorization
			.call(() -> decisionService.evaluateDecisionTableById(definition.getId(), variables));
		return Optional.of(new Evaluation(definition.getId(), definition.getKey() + ":" + definition.getVersion(),
				definition.getDeploymentId(), result));
	}

}
