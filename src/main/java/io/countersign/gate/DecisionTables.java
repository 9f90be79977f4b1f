package io.countersign.gate;

import java.util.Map;
import java.util.Optional;

import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;

/** Evaluates the latest deployed version of a policy table on the policy's behalf, naming the version that answered. */
public final class DecisionTables {

	private DecisionTables() {
	}

	/** @param version the decision's key and version, as recorded with what it decided */
	public record Evaluation(String version, DmnDecisionTableResult result) {
	}

	/**
	 * Evaluated by id, so the version recorded is the version that answered; without authorization checks, so an
	 * approver completing a task need not hold rights on decision definitions.
	 * @return empty when no version of the decision is deployed
	 */
	public static Optional<Evaluation> evaluateLatest(RepositoryService repositoryService,
			DecisionService decisionService, String key, Map<String, Object> variables) {
		DecisionDefinition definition = WithoutAuthorization.call(() -> repositoryService
			.createDecisionDefinitionQuery()
			.decisionDefinitionKey(key)
			.latestVersion()
			.singleResult());
		if (definition == null) {
			return Optional.empty();
		}
		DmnDecisionTableResult result = WithoutAuthorization
			.call(() -> decisionService.evaluateDecisionTableById(definition.getId(), variables));
		return Optional.of(new Evaluation(definition.getKey() + ":" + definition.getVersion(), result));
	}

}
