package io.countersign.modelchange;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.api.ApiException;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stages model changes: reads the submitted files, builds the complete model set they make with what runs now,
 * describes the difference, and starts the {@code model-change} playbook, whose gate decides whether it is deployed.
 */
@Service
class ModelChanges {

	static final String PLAYBOOK = "model-change";

	private final DeployedModels deployed;

	private final ModelChangeStore store;

	private final Responses responses;

	private final ObjectMapper objectMapper;

	private final Clock clock;

	private final TransactionTemplate transactions;

	ModelChanges(DeployedModels deployed, ModelChangeStore store, Responses responses, ObjectMapper objectMapper,
			Clock clock, PlatformTransactionManager transactionManager) {
		this.deployed = deployed;
		this.store = store;
		this.responses = responses;
		this.objectMapper = objectMapper;
		this.clock = clock;
		this.transactions = new TransactionTemplate(transactionManager);
	}

	/** @throws ApiException 422 naming the file when a file is unreadable, repeated, or nothing would change */
	ModelChangeView submit(ModelChangeRequest request, String requester) {
		Set<String> names = new HashSet<>();
		for (int i = 0; i < request.files().size(); i++) {
			ModelChangeRequest.File file = request.files().get(i);
			if (!names.add(file.name())) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "file " + file.name() + " is named twice",
						"files[" + i + "].name");
			}
			int bytes = file.content().getBytes(StandardCharsets.UTF_8).length;
			if (bytes > ModelChangeRequest.MAX_FILE_BYTES) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, file.name() + " has " + bytes
						+ " bytes; one file may have at most " + ModelChangeRequest.MAX_FILE_BYTES, "files[" + i + "].content");
			}
		}
		Map<String, DeployedModels.Model> current = this.deployed.current();
		List<ModelChangeStore.Resource> resources = new ArrayList<>();
		Map<String, ModelChangeRequest.File> submitted = new TreeMap<>();
		request.files().forEach(file -> submitted.put(file.name(), file));
		List<ModelDiff.Finding> findings = new ArrayList<>();
		List<String> added = new ArrayList<>();
		List<String> changed = new ArrayList<>();
		for (int i = 0; i < request.files().size(); i++) {
			ModelChangeRequest.File file = request.files().get(i);
			DeployedModels.Model before = current.get(file.name());
			try {
				findings.addAll(ModelDiff.of(file.name(), before == null ? null : before.content(), file.content(),
						this.objectMapper));
			}
			catch (IllegalArgumentException ex) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ex.getMessage(), "files[" + i + "].content");
			}
			if (before == null) {
				added.add(file.name());
			}
			else if (!before.sha256().equals(StagedAction.sha256(file.content()))) {
				changed.add(file.name());
			}
		}
		if (added.isEmpty() && changed.isEmpty()) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"every file is identical to the deployed one; nothing would change", "files");
		}
		for (DeployedModels.Model model : current.values()) {
			ModelChangeRequest.File replacement = submitted.get(model.file());
			String content = replacement == null ? model.content() : replacement.content();
			resources.add(new ModelChangeStore.Resource(model.name(), StagedAction.sha256(content),
					replacement != null && changed.contains(model.file()), content));
		}
		for (String file : added) {
			String content = submitted.get(file).content();
			resources.add(new ModelChangeStore.Resource((file.endsWith(".form") ? "forms/" : "bpmn/") + file,
					StagedAction.sha256(content), true, content));
		}
		ModelDiff.Diff diff = new ModelDiff.Diff(added, changed, findings);
		String id = UUID.randomUUID().toString();
		String responseId = UUID.randomUUID().toString();
		String baseFingerprint = this.deployed.fingerprintOf(current);
		StagedAction action = action(id, baseFingerprint, resources);
		Map<String, Object> diffJson = new LinkedHashMap<>(diff.summary());
		diffJson.put("text", diff.text());
		ModelChangeStore.Change change = new ModelChangeStore.Change(id, responseId, requester, request.summary(),
				baseFingerprint, action.fingerprint(), json(diffJson), null, this.clock.instant());
		Map<String, Object> evidence = new LinkedHashMap<>();
		evidence.put("modelChange", id);
		evidence.put("fingerprint", action.fingerprint());
		evidence.putAll(diff.summary());
		// The playbook's first step is asynchronous: it runs after this commit and finds the change stored.
		this.transactions.executeWithoutResult(status -> {
			this.responses.startOwn(responseId, PLAYBOOK, request.summary(), PLAYBOOK, json(evidence), requester);
			this.store.insert(change, resources);
		});
		return view(id).orElseThrow();
	}

	/**
	 * What is approved and deployed: the complete model set by resource name and content hash, and the set it was
	 * staged against, so a change approved after another one landed is refused instead of undoing it.
	 */
	StagedAction action(String changeId, String baseFingerprint, List<ModelChangeStore.Resource> resources) {
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("changeId", changeId);
		parameters.put("base", baseFingerprint);
		ObjectNode hashes = parameters.putObject("resources");
		new TreeMap<>(resources.stream().collect(java.util.stream.Collectors.toMap(ModelChangeStore.Resource::name,
				ModelChangeStore.Resource::sha256))).forEach(hashes::put);
		return new StagedAction(ActionTypes.MODEL_DEPLOY, Responses.COUNTERSIGN_MODELS, parameters);
	}

	Optional<ModelChangeView> view(String id) {
		return this.store.find(id).map(change -> {
			Optional<ResponseView> response = this.responses.find(change.responseId());
			List<ModelChangeView.FileView> files = this.store.resources(id)
				.stream()
				.map(resource -> new ModelChangeView.FileView(resource.name(), resource.sha256(), resource.changed()))
				.toList();
			Map<String, String> links = new LinkedHashMap<>();
			links.put("self", "/api/v1/model-changes/" + id);
			response.ifPresent(found -> found.links().forEach((name, link) -> {
				if (!name.equals("self")) {
					links.put(name, link);
				}
			}));
			links.put("response", "/api/v1/responses/" + change.responseId());
			return new ModelChangeView(id, change.responseId(), response.map(ResponseView::status).orElse(null),
					change.requestedBy(), change.summary(), change.fingerprint(), change.baseFingerprint(), files,
					tree(change.diff()), change.deploymentId(), change.createdAt(), links);
		});
	}

	private String json(Object value) {
		try {
			return this.objectMapper.writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("cannot write JSON", ex);
		}
	}

	private JsonNode tree(String json) {
		try {
			return this.objectMapper.readTree(json);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("stored diff is not JSON", ex);
		}
	}

}
