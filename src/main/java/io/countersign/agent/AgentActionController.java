package io.countersign.agent;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.countersign.api.ApiException;
import io.countersign.api.NotFoundException;
import io.countersign.security.Groups;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * {@code /api/v1/agent-actions} and {@code /api/v1/agent-grants}. Agents ask and read their own requests; reviewers
 * and leads read any and revoke; tool servers report uses. Who may call what at all is in SecurityConfiguration;
 * which rows a caller sees is decided here.
 */
@RestController
@Validated
class AgentActionController {

	static final int MAX_REASON_LENGTH = 1000;

	private final AgentActions actions;

	private final AgentActionWaiters waiters;

	AgentActionController(AgentActions actions, AgentActionWaiters waiters) {
		this.actions = actions;
		this.waiters = waiters;
	}

	@Schema(name = "AgentActionAccepted")
	record Accepted(String id, AgentActionStatus status, AgentActionView.Receipt receipt, Map<String, String> links) {
	}

	/**
	 * Read from the raw body with {@link AgentJson}: decimals kept exact and duplicate keys refused, since the
	 * arguments are hashed and a tool server must arrive at the same hash from what it receives.
	 */
	@Operation(operationId = "requestAgentAction", summary = "Ask for one tool call; a receipt at once when a "
			+ "standing grant or the policy allows it, else a review",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
							schema = @Schema(implementation = AgentActionRequest.class))))
	@ApiResponse(responseCode = "202", description = "Recorded: PENDING review, or decided with a receipt; Location "
			+ "is the action", headers = @Header(name = "Location", description = "The action",
					schema = @Schema(type = "string")))
	@PostMapping(path = "/api/v1/agent-actions", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Accepted> ask(@RequestBody String body, Authentication caller) {
		AgentActionRequest request = read(body, AgentActionRequest.class);
		AgentActionView view = AgentActionView.of(this.actions.submit(caller.getName(), request), true);
		return ResponseEntity.accepted()
			.location(URI.create(view.links().get("self")))
			.body(new Accepted(view.id(), view.status(), view.receipt(), view.links()));
	}

	/**
	 * Answers at once, or when the action leaves PENDING, or after {@code waitSeconds}, whichever is first, without
	 * holding a request thread while it waits.
	 */
	@Operation(operationId = "getAgentAction", summary = "Read an agent action; with waitSeconds, long-poll until "
			+ "it leaves PENDING")
	@ApiResponse(responseCode = "200", description = "The action as it is when decided, when waitSeconds ran out, or "
			+ "when the server shuts down", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
					schema = @Schema(implementation = AgentActionView.class)))
	@ApiResponse(responseCode = "404", description = "No such action, or not the calling agent's")
	@GetMapping("/api/v1/agent-actions/{id}")
	DeferredResult<Object> get(@PathVariable @Size(max = 36) String id,
			@RequestParam(defaultValue = "0") String waitSeconds, Authentication caller) {
		int wait = waitSeconds(waitSeconds);
		AgentAction action = readable(id, caller);
		boolean owner = action.accountId().equals(caller.getName());
		if (wait == 0 || action.status() != AgentActionStatus.PENDING) {
			DeferredResult<Object> now = new DeferredResult<>();
			now.setResult(AgentActionView.of(action, owner));
			return now;
		}
		return this.waiters.await(id, Duration.ofSeconds(wait),
				() -> AgentActionView.of(this.actions.find(id), owner),
				() -> this.actions.find(id).status());
	}

	record Revocation(String reason) {
	}

	@Operation(operationId = "revokeAgentAction", summary = "End an approved agent access now",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
							schema = @Schema(implementation = Revocation.class))))
	@ApiResponse(responseCode = "200", description = "The action, revoked")
	@ApiResponse(responseCode = "404", description = "No such action")
	@ApiResponse(responseCode = "409", description = "The action is not running")
	@PostMapping(path = "/api/v1/agent-actions/{id}/revocation", consumes = MediaType.APPLICATION_JSON_VALUE)
	AgentActionView revoke(@PathVariable @Size(max = 36) String id, @RequestBody String body,
			Authentication caller) {
		Revocation revocation = read(body, Revocation.class);
		return AgentActionView.of(this.actions.revoke(id, caller.getName(), reason(revocation.reason())), false);
	}

	record UseAccepted(boolean accepted, int uses, String actionId) {
	}

	@Operation(operationId = "reportAgentActionUse", summary = "Report (and optionally spend) one use of a receipt",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
							schema = @Schema(implementation = AgentActions.UseReport.class))))
	@ApiResponse(responseCode = "200", description = "The use is accepted and counted")
	@ApiResponse(responseCode = "404", description = "No such action")
	@ApiResponse(responseCode = "409", description = "The use is refused; reason says why")
	@PostMapping(path = "/api/v1/agent-actions/{id}/uses", consumes = MediaType.APPLICATION_JSON_VALUE)
	UseAccepted use(@PathVariable @Size(max = 36) String id, @RequestBody String body, Authentication caller) {
		AgentActions.UseReport report = read(body, AgentActions.UseReport.class);
		return new UseAccepted(true, this.actions.reportUse(id, caller.getName(), report), id);
	}

	@ExceptionHandler(AgentActions.UseRefusedException.class)
	ResponseEntity<ProblemDetail> useRefused(AgentActions.UseRefusedException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
		problem.setTitle("Tool call refused");
		problem.setProperty("reason", ex.reason());
		return ResponseEntity.status(HttpStatus.CONFLICT).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

	// ---- standing grants ----------------------------------------------------------------------------------

	record GrantView(String id, String status, String accountId, String agent, String tool, GrantKind kind,
			String argumentsHash, String pattern, String scope, int maxDurationSeconds, String createdBy,
			String reason, String sourceAction, Instant createdAt, Instant expiresAt,
			String revokedBy, String revokeReason, Instant revokedAt, int uses) {

		static GrantView of(StandingGrant grant, Instant now) {
			return new GrantView(grant.id(), grant.status(now), grant.accountId(), grant.agent(), grant.tool(),
					grant.kind(), grant.argumentsHash(), grant.patternJson(), grant.scope(), grant.maxDuration(),
					grant.createdBy(), grant.reason(), grant.sourceActionId(), grant.createdAt(), grant.expiresAt(),
					grant.revokedBy(), grant.revokeReason(), grant.revokedAt(), grant.useCount());
		}

	}

	/** Agents see their own account's grants; everyone else allowed here sees all. */
	@Operation(operationId = "listAgentGrants", summary = "List standing grants (an agent: its own)")
	@ApiResponse(responseCode = "200", description = "The grants")
	@GetMapping("/api/v1/agent-grants")
	List<GrantView> grants(@RequestParam(defaultValue = "true") boolean active, Authentication caller) {
		String account = isAgent(caller) ? caller.getName() : null;
		Instant now = this.actions.now();
		return this.actions.grants(account, active, 500).stream().map(grant -> GrantView.of(grant, now)).toList();
	}

	@Operation(operationId = "getAgentGrant", summary = "Read a standing grant")
	@ApiResponse(responseCode = "200", description = "The grant")
	@ApiResponse(responseCode = "404", description = "No such grant, or not the calling agent's")
	@GetMapping("/api/v1/agent-grants/{id}")
	GrantView grant(@PathVariable @Size(max = 36) String id, Authentication caller) {
		StandingGrant grant = this.actions.grant(id)
			.filter(found -> !isAgent(caller) || found.accountId().equals(caller.getName()))
			.orElseThrow(() -> new NotFoundException("standing grant '" + id + "' does not exist"));
		return GrantView.of(grant, this.actions.now());
	}

	@Operation(operationId = "revokeAgentGrant", summary = "Revoke a standing grant and every access it approved "
			+ "that still runs")
	@ApiResponse(responseCode = "200", description = "The grant, revoked")
	@ApiResponse(responseCode = "404", description = "No such grant")
	@ApiResponse(responseCode = "409", description = "The grant was already revoked")
	@DeleteMapping("/api/v1/agent-grants/{id}")
	GrantView revokeGrant(@PathVariable @Size(max = 36) String id,
			@RequestParam(required = false) @Size(max = MAX_REASON_LENGTH) String reason, Authentication caller) {
		StandingGrant grant = this.actions.revokeGrant(id, caller.getName(),
				reason == null || reason.isBlank() ? "revoked by " + caller.getName() : reason.strip());
		return GrantView.of(grant, this.actions.now());
	}

	// ---- helpers ------------------------------------------------------------------------------------------

	/** An agent reads only what its own account asked; to it, anything else does not exist. */
	private AgentAction readable(String id, Authentication caller) {
		return this.actions.findOptional(id)
			.filter(found -> !isAgent(caller) || found.accountId().equals(caller.getName()))
			.orElseThrow(() -> new NotFoundException("agent action '" + id + "' does not exist"));
	}

	private static boolean isAgent(Authentication caller) {
		return Groups.groupIds(caller).contains(Groups.AGENTS);
	}

	private static int waitSeconds(String value) {
		try {
			int wait = Integer.parseInt(value.strip());
			if (wait >= 0 && wait <= AgentActionWaiters.MAX_WAIT_SECONDS) {
				return wait;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new ApiException(HttpStatus.BAD_REQUEST, "waitSeconds must be a whole number from 0 to "
				+ AgentActionWaiters.MAX_WAIT_SECONDS + ", not '" + value + "'", "waitSeconds");
	}

	private static String reason(String reason) {
		if (reason == null || reason.isBlank() || reason.length() > MAX_REASON_LENGTH) {
			throw new ApiException(HttpStatus.BAD_REQUEST,
					"reason is required: 1 to " + MAX_REASON_LENGTH + " characters", "reason");
		}
		return reason.strip();
	}

	private static <T> T read(String body, Class<T> type) {
		if (body == null || body.isBlank()) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "A JSON request body is required");
		}
		try {
			T value = AgentJson.MAPPER.readValue(body, type);
			if (value == null) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "The request body must be a JSON object, not null");
			}
			return value;
		}
		catch (UnrecognizedPropertyException ex) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "Unknown field '" + ex.getPropertyName() + "'",
					ex.getPropertyName());
		}
		catch (JsonMappingException ex) {
			String field = ex.getPath().isEmpty() ? null : ex.getPath().get(0).getFieldName();
			throw new ApiException(HttpStatus.BAD_REQUEST, field == null ? "Malformed JSON request body: "
					+ ex.getOriginalMessage() : "Field '" + field + "' has an invalid value: " + ex.getOriginalMessage(),
					field);
		}
		catch (JsonProcessingException ex) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "Malformed JSON request body: " + ex.getOriginalMessage());
		}
	}

}
