package io.countersign.modelchange;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.ActionConnector;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.governance.CountersignedDeployment;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.receipt.VerifiedReceipt;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.repository.Resource;

import org.springframework.stereotype.Component;

/**
 * Deploys an approved model change: exactly the stored model set whose hashes the approvers approved, as one
 * deployment named after the change, and only if the models running now are still those it was staged against.
 * The engine's repository service lets it through (where direct deployments are refused) only inside a
 * {@link CountersignedDeployment}, opened here after the receipt was verified and spent.
 *
 * <p>Checks that can refuse come before the receipt is spent, so a refused change leaves nothing behind. A deployment
 * the engine refuses after the checks (they mirror its parser, so this is rare) fails the job: it retries and then
 * raises an incident, and the whole transaction, the receipt's use included, rolls back.
 */
@Component
class ModelChangeConnector implements ActionConnector {

	static final String DEPLOYMENT_PREFIX = "model-change-";

	static final String SOURCE = "countersign-model-change";

	private final ModelChangeStore store;

	private final ModelChanges changes;

	private final DeployedModels deployed;

	private final RepositoryService repositoryService;

	private final RuntimeService runtimeService;

	private final ReceiptVerifier receipts;

	private final ObjectMapper objectMapper;

	ModelChangeConnector(ModelChangeStore store, ModelChanges changes, DeployedModels deployed,
			RepositoryService repositoryService, RuntimeService runtimeService, ReceiptVerifier receipts,
			ObjectMapper objectMapper) {
		this.store = store;
		this.changes = changes;
		this.deployed = deployed;
		this.repositoryService = repositoryService;
		this.runtimeService = runtimeService;
		this.receipts = receipts;
		this.objectMapper = objectMapper;
	}

	@Override
	public String name() {
		return ActionTypes.MODEL_CONNECTOR;
	}

	@Override
	public void stage(ConnectorCall call) {
		stored(call);
	}

	@Override
	public void apply(ConnectorCall call) {
		Stored stored = stored(call);
		Optional<Deployment> existing = deployment(stored.change().id());
		if (existing.isPresent()) {
			// A retry of an apply that committed: its receipt was spent then.
			this.store.deployed(stored.change().id(), existing.get().getId());
			return;
		}
		String base = this.deployed.fingerprintOf(this.deployed.current());
		if (!base.equals(stored.change().baseFingerprint())) {
			throw new ConnectorException("the models running now are not those model change " + stored.change().id()
					+ " was staged against (another change or deployment landed since); submit it again so it is "
					+ "judged against what runs now");
		}
		VerifiedReceipt receipt = this.receipts.verifyAndConsume(call.receipt(), call.responseId(),
				call.action().fingerprint(), name());
		CountersignedDeployment countersigned = countersigned(stored, call, receipt.approvers());
		Deployment deployment = countersigned.run(() -> {
			DeploymentBuilder builder = this.repositoryService.createDeployment()
				.name(DEPLOYMENT_PREFIX + stored.change().id())
				.source(SOURCE);
			stored.resources().forEach(resource -> builder.addString(resource.name(), resource.content()));
			return builder.deployWithResult();
		});
		this.store.deployed(stored.change().id(), deployment.getId());
	}

	@Override
	public void verify(ConnectorCall call) {
		Stored stored = stored(call);
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		Deployment deployment = deployment(stored.change().id())
			.orElseThrow(() -> new ConnectorException("model change " + stored.change().id() + " is not deployed"));
		Map<String, String> deployedHashes = new HashMap<>();
		for (Resource resource : this.repositoryService.getDeploymentResources(deployment.getId())) {
			deployedHashes.put(resource.getName(),
					StagedAction.sha256(new String(resource.getBytes(), java.nio.charset.StandardCharsets.UTF_8)));
		}
		Map<String, String> approved = hashes(call.action());
		if (!deployedHashes.equals(approved)) {
			throw new ConnectorException("deployment " + deployment.getId() + " does not hold exactly the approved "
					+ "model set");
		}
	}

	/** Removes the change's deployment again, unless a response already runs on it. */
	@Override
	public void rollback(ConnectorCall call) {
		Stored stored = stored(call);
		VerifiedReceipt receipt = this.receipts.verifyForUndo(call.receipt(), call.responseId(),
				call.action().fingerprint());
		Optional<Deployment> deployment = deployment(stored.change().id());
		if (deployment.isEmpty()) {
			return;
		}
		List<String> definitions = this.repositoryService.createProcessDefinitionQuery()
			.deploymentId(deployment.get().getId())
			.list()
			.stream()
			.map(ProcessDefinition::getId)
			.toList();
		for (String definition : definitions) {
			if (this.runtimeService.createProcessInstanceQuery().processDefinitionId(definition).count() > 0) {
				throw new ConnectorException("deployment " + deployment.get().getId() + " cannot be removed: "
						+ "processes already run on " + definition + "; submit the previous models as a new change");
			}
		}
		countersigned(stored, call, receipt.approvers()).run(() -> {
			this.repositoryService.deleteDeployment(deployment.get().getId());
			return null;
		});
		this.store.undeployed(stored.change().id());
	}

	private record Stored(ModelChangeStore.Change change, List<ModelChangeStore.Resource> resources) {
	}

	/** The stored change of the call's response, refused unless its files still hash to what the action names. */
	private Stored stored(ConnectorCall call) {
		if (!ActionTypes.MODEL_DEPLOY.equals(call.action().type())) {
			throw new ConnectorException("the " + name() + " connector only carries out " + ActionTypes.MODEL_DEPLOY
					+ ", not " + call.action().type());
		}
		ModelChangeStore.Change change = this.store.forResponse(call.responseId())
			.orElseThrow(() -> new ConnectorException("response " + call.responseId() + " carries no model change"));
		List<ModelChangeStore.Resource> resources = this.store.resources(change.id());
		StagedAction expected = this.changes.action(change.id(), change.baseFingerprint(), resources);
		boolean contentIntact = resources.stream()
			.allMatch(resource -> StagedAction.sha256(resource.content()).equals(resource.sha256()));
		if (!contentIntact || !expected.fingerprint().equals(call.action().fingerprint())) {
			throw new ConnectorException("the stored files of model change " + change.id()
					+ " are not the approved ones (fingerprint " + call.action().fingerprint() + ")");
		}
		return new Stored(change, resources);
	}

	private Optional<Deployment> deployment(String changeId) {
		return this.repositoryService.createDeploymentQuery()
			.deploymentName(DEPLOYMENT_PREFIX + changeId)
			.list()
			.stream()
			.findFirst();
	}

	private CountersignedDeployment countersigned(Stored stored, ConnectorCall call, List<String> approvers) {
		Map<String, Object> diff;
		try {
			diff = this.objectMapper.convertValue(this.objectMapper.readTree(stored.change().diff()),
					new TypeReference<Map<String, Object>>() {
					});
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("stored diff of model change " + stored.change().id() + " is not JSON", ex);
		}
		diff.remove("text");
		return new CountersignedDeployment(stored.change().id(), call.responseId(), call.action().fingerprint(),
				stored.change().requestedBy(), approvers, diff);
	}

	private Map<String, String> hashes(StagedAction action) {
		Map<String, String> hashes = new HashMap<>();
		JsonNode resources = action.parameters().path("resources");
		resources.fieldNames().forEachRemaining(name -> hashes.put(name, resources.get(name).asText()));
		return hashes;
	}

}
