package io.countersign.response;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.notify.PublicUrl;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;

import org.springframework.context.ApplicationEventPublisher;
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

	private final PublicUrl publicUrl;

	private final ApplicationEventPublisher events;

	Responses(ResponseRepository repository, Ledger ledger, Inventory inventory, RuntimeService runtimeService,
			List<PlaybookDefinition> playbooks, ObjectMapper objectMapper, PlatformTransactionManager transactionManager,
			PublicUrl publicUrl, ApplicationEventPublisher events) {
		this.events = events;
		this.publicUrl = publicUrl;
		this.repository = repository;
		this.ledger = ledger;
		this.inventory = inventory;
		this.runtimeService = runtimeService;
		this.playbooks = playbooks.stream().collect(Collectors.toMap(PlaybookDefinition::name, Function.identity()));
		this.objectMapper = objectMapper;
		this.transactions = new TransactionTemplate(transactionManager);
	}

	/**
	 * The answer to a start request: {@code joined} when the detection joined a response that was already open,
	 * {@code replayed} when an earlier request with the same Idempotency-Key already got this answer.
	 */
	public record StartResult(ResponseView response, boolean replayed, boolean joined) {
	}

	/** What the start transaction did, read back as a {@link StartResult} once its ledger entries are written. */
	private record Outcome(String responseId, boolean replayed, boolean joined) {
	}

	/**
	 * Most detections that may join one response after the one that started it. A scanner reporting the same finding
	 * on every run must not grow a response, its timeline and the approver's form without bound; past this the
	 * detection is refused (409, see {@link #join}) until the response ends.
	 */
	static final int MAX_JOINED_DETECTIONS = 100;

	/**
	 * Validates the request against the playbooks and the inventory, then either joins the detection to the open
	 * response of the same playbook and target or stores a new response and starts its playbook, in one transaction:
	 * a rejected request stores nothing.
	 */
	public StartResult start(StartResponseRequest request, String requester, String idempotencyKey) {
		PlaybookDefinition playbook = this.playbooks.get(request.playbook());
		if (playbook == null) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"Unknown playbook '" + request.playbook() + "'; known playbooks: " + this.playbooks.keySet().stream().sorted().toList(),
					"playbook");
		}
		Identity identity = this.inventory.find(request.identity())
			.orElseThrow(() -> new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"Unknown identity '" + request.identity() + "' in the inventory", "identity"));
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
		if (playbook.startCheck() != null) {
			playbook.startCheck().check(request, identity);
		}
		String evidence = evidenceJson(request.evidence());
		String requestHash = StagedAction.sha256(CanonicalJson.write(this.objectMapper.valueToTree(request)));
		if (idempotencyKey != null) {
			Optional<Outcome> replay = replay(requester, idempotencyKey, requestHash);
			if (replay.isPresent()) {
				return result(replay.get());
			}
		}
		try {
			return result(this.transactions.execute(tx -> createOrJoin(playbook, request, evidence, requester,
					idempotencyKey, requestHash)));
		}
		catch (DuplicateKeyException ex) {
			// Two requests with the same key raced; the winner's answer is the answer to both.
			if (idempotencyKey == null) {
				throw ex;
			}
			return replay(requester, idempotencyKey, requestHash).map(this::result).orElseThrow(() -> ex);
		}
	}

	private StartResult result(Outcome outcome) {
		return new StartResult(find(outcome.responseId()).orElseThrow(), outcome.replayed(), outcome.joined());
	}

	private Optional<Outcome> replay(String requester, String idempotencyKey, String requestHash) {
		return this.repository.findDetectionByIdempotencyKey(requester, idempotencyKey).map(earlier -> {
			if (!earlier.requestHash().equals(requestHash)) {
				throw new ApiException(HttpStatus.CONFLICT, "Idempotency-Key '" + idempotencyKey
						+ "' was already used with a different request body (response " + earlier.responseId() + ")",
						"Idempotency-Key");
			}
			return new Outcome(earlier.responseId(), true, earlier.seq() > 1);
		});
	}

	private Outcome createOrJoin(PlaybookDefinition playbook, StartResponseRequest request, String evidence,
			String requester, String idempotencyKey, String requestHash) {
		// Starts for one identity take turns on its inventory row: of two simultaneous detections of one target, the
		// second sees the response the first created and joins it, on H2 as on PostgreSQL.
		if (!this.repository.lockIdentity(request.identity())) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
					"Unknown identity '" + request.identity() + "' in the inventory", "identity");
		}
		if (idempotencyKey != null) {
			// A request with the same key may have committed while this one waited for the lock.
			Optional<Outcome> replay = replay(requester, idempotencyKey, requestHash);
			if (replay.isPresent()) {
				return replay.get();
			}
		}
		for (String openId : this.repository.findOpen(playbook.name(), request.identity(), request.credential())) {
			// Locked, so the response cannot end between this check and the join; one that just ended is skipped.
			Optional<ResponseRepository.Row> open = this.repository.lock(openId).filter(row -> !row.status().isTerminal());
			if (open.isPresent()) {
				join(open.get(), request, evidence, requester, idempotencyKey, requestHash);
				return new Outcome(openId, false, true);
			}
		}
		return new Outcome(create(playbook, request, evidence, requester, idempotencyKey, requestHash), false, false);
	}

	private String create(PlaybookDefinition playbook, StartResponseRequest request, String evidence, String requester,
			String idempotencyKey, String requestHash) {
		String id = UUID.randomUUID().toString();
		Instant now = this.clock.instant();
		this.repository.insert(new ResponseRepository.Row(id, playbook.name(), ResponseStatus.STAGING,
				request.identity(), request.credential(), requester, request.summary(), request.source(),
				request.severity().json(), request.environment().json(), evidence, null, null, null, null, null,
				idempotencyKey, requestHash, now, now));
		this.repository.insertDetection(new ResponseRepository.Detection(id, 1, request.source(), request.summary(),
				request.severity().json(), evidence, requester, now, idempotencyKey, requestHash,
				request.environment().json()));
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

	/**
	 * The target of responses about Countersign's own models. No inventory identity can have this id (identity ids
	 * never contain a slash), so no integrator can report on it, write it or join a detection to its responses.
	 */
	public static final String COUNTERSIGN_MODELS = "countersign/models";

	/**
	 * Stores a response whose target is Countersign itself and starts its playbook, in the caller's transaction. Such
	 * a playbook has no {@link PlaybookDefinition}, so nobody can start it through {@link #start}; its caller checked
	 * the request. It is judged as critical and in production, whatever it says.
	 */
	public void startOwn(String id, String playbook, String summary, String source, String evidence,
			String requester) {
		Instant now = this.clock.instant();
		String severity = Severity.CRITICAL.json();
		String environment = Environment.PRODUCTION.json();
		this.repository.insert(new ResponseRepository.Row(id, playbook, ResponseStatus.STAGING, COUNTERSIGN_MODELS,
				null, requester, summary, source, severity, environment, evidence, null, null, null, null, null, null,
				null, now, now));
		this.repository.insertDetection(new ResponseRepository.Detection(id, 1, source, summary, severity, evidence,
				requester, now, null, null, environment));
		this.ledger.append(id, "REQUESTED", requester, source + ": " + summary);
		Map<String, Object> variables = new HashMap<>();
		variables.put(ResponseVariables.RESPONSE_ID, id);
		variables.put(ResponseVariables.PLAYBOOK, playbook);
		variables.put(ResponseVariables.IDENTITY, COUNTERSIGN_MODELS);
		variables.put(ResponseVariables.SUMMARY, summary);
		variables.put(ResponseVariables.SOURCE, source);
		variables.put(ResponseVariables.SEVERITY, severity);
		variables.put(ResponseVariables.ENVIRONMENT, environment);
		variables.put(ResponseVariables.EVIDENCE, pretty(evidence));
		variables.put(ResponseVariables.REQUESTED_BY, requester);
		ProcessInstance instance = this.runtimeService.startProcessInstanceByKey(playbook, id, variables);
		this.repository.setProcessInstance(id, instance.getId());
	}

	/**
	 * Adds the detection to the open response: stored, on the timeline and handed to the running process, which
	 * goes on where it is. The severity, staged action and policy of the response stay those of its first detection.
	 * @throws ApiException 409 once {@link #MAX_JOINED_DETECTIONS} joined: the limit is the response's state, not the
	 * caller's request rate, so 429 and its retry-later would mislead; a new response takes detections again once this
	 * one ends
	 */
	private void join(ResponseRepository.Row open, StartResponseRequest request, String evidence, String requester,
			String idempotencyKey, String requestHash) {
		int last = this.repository.lastDetectionSeq(open.id());
		if (last - 1 >= MAX_JOINED_DETECTIONS) {
			throw new ApiException(HttpStatus.CONFLICT, "Response " + open.id() + " of '" + open.identity() + "'"
					+ (open.credential() == null ? "" : " / '" + open.credential() + "'") + " already holds "
					+ MAX_JOINED_DETECTIONS + " joined detections, the most one response keeps; report this target again"
					+ " once the response has ended (it is " + open.status() + ")");
		}
		Instant now = this.clock.instant();
		this.repository.insertDetection(new ResponseRepository.Detection(open.id(), last + 1, request.source(),
				request.summary(), request.severity().json(), evidence, requester, now, idempotencyKey, requestHash,
				request.environment().json()));
		this.repository.touch(open.id(), now);
		this.ledger.append(open.id(), "DETECTION_JOINED", requester, request.source() + ": " + request.summary(),
				Map.of("detection", last + 1, "severity", request.severity().json()));
		List<ResponseRepository.Detection> joined = this.repository.detections(open.id())
			.stream()
			.filter(detection -> detection.seq() > 1)
			.toList();
		Map<String, Object> variables = Map.of(ResponseVariables.JOINED_DETECTIONS, joined.size(),
				ResponseVariables.ADDITIONAL_EVIDENCE,
				AdditionalEvidence.render(this.objectMapper, joined, links(open.id()).get("self")));
		// Every called process (the guarded action, the gate it calls) copied the variables when it was called, and the
		// open task shows the gate's copy: all of them are updated, however deep the calls go.
		Deque<String> instances = new ArrayDeque<>(List.of(open.processInstanceId()));
		while (!instances.isEmpty()) {
			String instance = instances.pop();
			this.runtimeService.setVariables(instance, variables);
			this.runtimeService.createProcessInstanceQuery()
				.superProcessInstanceId(instance)
				.list()
				.forEach(called -> instances.push(called.getId()));
		}
		// In this transaction: a stricter policy answer for the open approval commits with the join, or neither does.
		this.events.publishEvent(new DetectionJoined(open.id(), last + 1, request.severity().json(),
				request.environment().json(), requester));
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

	/**
	 * Every principal who asked for the response: whoever started it and whoever joined a detection to it. A joined
	 * detection is a request like the first, so its author is a requester for separation of duties too.
	 */
	public Set<String> requesters(String id) {
		Set<String> requesters = new TreeSet<>(this.repository.requesters(id));
		this.repository.find(id).map(ResponseRepository.Row::requestedBy).ifPresent(requesters::add);
		return requesters;
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
				detections(row.id()), staged, json(row.blastRadius()), row.rollbackPlan(), this.repository.approvals(row.id()),
				this.repository.decisions(row.id()), timeline(row.id()), row.createdAt(), row.updatedAt(), links(row.id()));
	}

	private List<ResponseView.DetectionView> detections(String id) {
		return this.repository.detections(id)
			.stream()
			.map(detection -> new ResponseView.DetectionView(detection.seq(), detection.source(), detection.summary(),
					detection.severity(), detection.requestedBy(), detection.receivedAt(), json(detection.evidence()),
					detection.environment()))
			.toList();
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
		links.put("tasklist", this.publicUrl.tasklist()
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
