package io.countersign.modelchange;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.playbook.GuardedActions;
import io.countersign.playbook.Staging;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

/** The delegate of the playbook's staging step: the stored change set becomes the action the gate asks about. */
@Component("stageModelChangeDelegate")
class ModelChangePlaybook implements JavaDelegate {

	static final String ROLLBACK_PLAN = "The models running before this change stay deployed; to go back, submit them "
			+ "as a new model change. If deploying or checking the deployment fails, the deployment is removed again "
			+ "(only while no response runs on it).";

	private final ModelChangeStore store;

	private final ModelChanges changes;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	ModelChangePlaybook(ModelChangeStore store, ModelChanges changes, GuardedActions actions,
			ObjectMapper objectMapper) {
		this.store = store;
		this.changes = changes;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	@Override
	public void execute(DelegateExecution execution) {
		String responseId = execution.getProcessBusinessKey();
		Staging.orRefuse(() -> {
			ModelChangeStore.Change change = this.store.forResponse(responseId)
				.orElseThrow(() -> new ConnectorException("response " + responseId + " carries no model change"));
			List<ModelChangeStore.Resource> resources = this.store.resources(change.id());
			StagedAction action = this.changes.action(change.id(), change.baseFingerprint(), resources);
			JsonNode diff = diff(change);
			this.actions.stage(responseId, GuardedActions.APPLY, action, diff, ROLLBACK_PLAN);
			Staging.publish(execution, action, diff.path("text").asText(), ROLLBACK_PLAN);
			return action;
		});
	}

	private JsonNode diff(ModelChangeStore.Change change) {
		try {
			return this.objectMapper.readTree(change.diff());
		}
		catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
			throw new IllegalStateException("stored diff of model change " + change.id() + " is not JSON", ex);
		}
	}

}
