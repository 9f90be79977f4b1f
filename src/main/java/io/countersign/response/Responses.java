package io.countersign.response;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;
import io.countersign.api.ApiException;
import io.countersign.audit.Ledger;
import io.countersign.inventory.Inventory;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts responses and keeps their record. Delegates and listeners report progress here, inside
 * the engine's transaction, so a rolled-back step leaves no trace in the timeline either.
 */
@Service
public class Responses {

	private final ResponseRepository repository;

	private final Ledger ledger;

	private final Inventory inventory;

	private final RuntimeService runtimeService;

	private final Map<String, PlaybookDefinition> playbooks;

	private final ObjectMapper objectMapper;

	private final TransactionTemplate transactions;

	private final Clock clock = Clock.systemUTC();

	private final String tasklistUrl;

	Responses(ResponseRepository repository, Ledger ledger, Inventory inventory, RuntimeService runtimeService,
			List<PlaybookDefinition> playbooks, ObjectMapper objectMapper, PlatformTransactionManager transactionManager,
			@Value("${countersign.tasklist.base-url}") String tasklistUrl) {
		this.tasklistUrl = tasklistUrl.endsWith("/") ? tasklistUrl : tasklistUrl + "/";
		this.repository = repository;
		this.ledger = ledger;
		this.inventory = inventory;
		this.runtimeService = runtimeService;
		this.playbooks = playbooks.stream().collect(Collectors.toMap(PlaybookDefinition::name, Function.identity()));
		this.objectMapper = objectMapper;
		this.transactions = new TransactionTemplate(transactionManager);
	}

	public record StartResult(ResponseView response, boolean replayed) {
	}

	/**
	 * Validates the request against the playbooks and the inventory, stores the response and
	 * starts its playbook in one transaction: a rejected request stores nothing.
	 */
	public StartResult start(StartResponseRequest request, String requester, String idempotencyKey) {
		PlaybookDefinition playbook = this.playbooks.get(request.playbook());
		if (playbook == null) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"Unknown playbook '" + request.playbook() + "'; known playbooks: " + this.playbooks.keySet().stream().sorted().toList(),
					"playbook");
		}
		if (this.inventory.find(request.identity()).isEmpty()) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"Unknown identity '" + request.identity() + "' in the inventory", "identity");
		}
		if (playbook.requiresCredential() && request.credential() == null) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"Playbook '" + playbook.name() + "' needs a credential", "credential");
		}
		if (request.credential() != null) {
			Optional<String> owner = this.inventory.identityOfCredential(request.credential());
			if (owner.isEmpty() || !owner.get().equals(request.identity())) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "Unknown credential '" + request.credential()
						+ "' for identity '" + request.identity() + "' in the inventory", "credential");
			}
		}
		String evidence = evidenceJson(request.evidence());
		String requestHash = StagedAction.sha256(CanonicalJson.write(this.objectMapper.valueToTree(request)));
		if (idempotencyKey != null) {
			Optional<StartResult> replay = replay(requester, idempotencyKey, requestHash);
			if (replay.isPresent()) {
				return replay.get();
			}
		}
		try {
			String id = this.transactions.execute(tx -> create(playbook, request, evidence, requester, idempotencyKey,
					requestHash));
			return new StartResult(find(id).orElseThrow(), false);
		}
		catch (DuplicateKeyException ex) {
			// Two requests with the same key raced; the winner's response is the answer to both.
			return replay(requester, idempotencyKey, requestHash).orElseThrow(() -> ex);
		}
	}

	private Optional<StartResult> replay(String requester, String idempotencyKey, String requestHash) {
		return this.repository.findByIdempotencyKey(requester, idempotencyKey).map(existing -> {
			if (!existing.requestHash().equals(requestHash)) {
				throw new ApiException(HttpStatus.CONFLICT, "Idempotency-Key '" + idempotencyKey
						+ "' was already used with a different request body (response " + existing.id() + ")",
						"Idempotency-Key");
			}
			return new StartResult(find(existing.id()).orElseThrow(), true);
		});
	}

	private String create(PlaybookDefinition playbook, StartResponseRequest request, String evidence, String requester,
			String idempotencyKey, String requestHash) {
		String id = UUID.randomUUID().toString();
		Instant now = this.clock.instant();
		this.repository.insert(new ResponseRepository.Row(id, playbook.name(), ResponseStatus.STAGING,
				request.identity(), request.credential(), requester, request.summary(), request.source(),
				request.severity().json(), request.environment().json(), evidence, null, null, null, null, null,
				idempotencyKey, requestHash, now, now));
		this.ledger.append(id, "REQUESTED", requester, request.source() + ": " + request.summary());
		Map<String, Object> variables = new HashMap<>();
		variables.put(ResponseVariables.RESPONSE_ID, id);
		variables.put(ResponseVariables.PLAYBOOK, playbook.name());
		variables.put(ResponseVariables.IDENTITY, request.identity());
		if (request.credential() != null) {
			variables.put(ResponseVariables.CREDENTIAL, request.credential());
		}
		variables.put(ResponseVariables.SUMMARY, request.summary());
		variables.put(ResponseVariables.SOURCE, request.source());
		variables.put(ResponseVariables.SEVERITY, request.severity().json());
		variables.put(ResponseVariables.ENVIRONMENT, request.environment().json());
		variables.put(ResponseVariables.EVIDENCE, pretty(evidence));
		variables.put(ResponseVariables.REQUESTED_BY, requester);
		ProcessInstance instance = this.runtimeService.startProcessInstanceByKey(playbook.processKey(), id, variables);
		this.repository.setProcessInstance(id, instance.getId());
		return id;
	}

	private String evidenceJson(JsonNode evidence) {
		JsonNode value = evidence == null || evidence.isNull() ? this.objectMapper.createObjectNode() : evidence;
		String json;
		try {
			json = this.objectMapper.writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "evidence is not serializable JSON", "evidence");
		}
		int bytes = json.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > StartResponseRequest.MAX_EVIDENCE_BYTES) {
			throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "evidence is " + bytes + " bytes; the limit is "
					+ StartResponseRequest.MAX_EVIDENCE_BYTES + " bytes (64 KiB)", "evidence");
		}
		return json;
	}

	private String pretty(String json) {
		try {
			return this.objectMapper.writerWithDefaultPrettyPrinter().writeValueAsString(this.objectMapper.readTree(json));
		}
		catch (JsonProcessingException ex) {
			return json;
		}
	}

	public Optional<ResponseView> find(String id) {
		return this.repository.find(id).map(this::view);
	}

	public Optional<ResponseRecord> record(String id) {
		return this.repository.find(id).map(ResponseRepository.Row::toRecord);
	}

	public ResponseView.Page list(ResponseStatus status, String playbook, int page, int size) {
		List<ResponseView.Summary> items = this.repository.list(status, playbook, page, size)
			.stream()
			.map(row -> new ResponseView.Summary(row.id(), row.playbook(), row.status(), row.identity(),
					row.credential(), row.requestedBy(), row.summary(), row.severity(), row.createdAt(),
					row.updatedAt(), links(row.id())))
			.toList();
		return new ResponseView.Page(items, page, size, this.repository.count(status, playbook));
	}

	/** Records the staged action the approver will see, and opens the response for approval. */
	public void staged(String id, StagedAction action, JsonNode blastRadius, String rollbackPlan) {
		Instant now = this.clock.instant();
		this.repository.staged(id, action.toJson(), action.fingerprint(), blastRadius.toString(), rollbackPlan,
				ResponseStatus.AWAITING_APPROVAL, now);
		this.ledger.append(id, "STAGED", null,
				action.type() + " on " + action.target() + " (" + action.fingerprint() + ")",
				Map.of("fingerprint", action.fingerprint(), "action", action.toJsonNode()));
	}

	/** Moves the response to {@code status}; a response that already ended keeps its outcome. */
	public boolean transition(String id, ResponseStatus status, String eventType, String actor, String detail) {
		Instant now = this.clock.instant();
		boolean moved = this.repository.transition(id, status, now);
		if (moved) {
			this.ledger.append(id, eventType, actor, detail);
		}
		return moved;
	}

	/** Appends to the decision ledger when the current transaction commits; a rollback appends nothing. */
	public void event(String id, String eventType, String actor, String detail) {
		this.ledger.append(id, eventType, actor, detail);
	}

	/** As {@link #event(String, String, String, String)}, with structured data kept (and hashed) in the ledger. */
	public void event(String id, String eventType, String actor, String detail, Map<String, ?> data) {
		this.ledger.append(id, eventType, actor, detail, data);
	}

	private ResponseView view(ResponseRepository.Row row) {
		ResponseView.StagedActionView staged = null;
		if (row.stagedAction() != null) {
			StagedAction action = StagedAction.fromJson(row.stagedAction());
			staged = new ResponseView.StagedActionView(action.type(), action.target(), action.parameters(),
					row.actionFingerprint());
		}
		return new ResponseView(row.id(), row.playbook(), row.status(), row.identity(), row.credential(),
				row.requestedBy(), row.summary(), row.source(), row.severity(), row.environment(), json(row.evidence()),
				staged, json(row.blastRadius()), row.rollbackPlan(), this.repository.approvals(row.id()),
				this.repository.decisions(row.id()), timeline(row.id()), row.createdAt(), row.updatedAt(), links(row.id()));
	}

	private List<ResponseView.TimelineEntry> timeline(String id) {
		return this.ledger.forResponse(id)
			.stream()
			.map(entry -> new ResponseView.TimelineEntry(entry.at(), entry.type(), entry.actor(), entry.detail(),
					entry.seq(), entry.hash()))
			.toList();
	}

	private Map<String, String> links(String id) {
		Map<String, String> links = new LinkedHashMap<>();
		links.put("self", "/api/v1/responses/" + id);
		links.put("decision", "/api/v1/responses/" + id + "/decision");
		links.put("tasklist", this.tasklistUrl
				+ "#/?searchQuery=%5B%7B%22type%22:%22processInstanceBusinessKey%22,%22operator%22:%22eq%22,%22value%22:%22"
				+ id + "%22%7D%5D");
		return links;
	}

	private JsonNode json(String text) {
		if (text == null) {
			return null;
		}
		try {
			return this.objectMapper.readTree(text);
		}
		catch (JsonProcessingException ex) {
			ObjectNode wrapper = this.objectMapper.createObjectNode();
			wrapper.put("unparsed", text);
			return wrapper;
		}
	}

}
