package io.countersign.response;

import java.net.URI;
import java.security.Principal;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import io.countersign.api.ApiException;
import io.countersign.api.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
@RequestMapping("/api/v1/responses")
class ResponseController {

	private static final String IDEMPOTENCY_KEY_PATTERN = "[\\x21-\\x7E]{1,128}";

	private final Responses responses;

	ResponseController(Responses responses) {
		this.responses = responses;
	}

	/** {@code joined}: the detection was added to the target's open response rather than starting one. */
	@Schema(name = "ResponseAccepted")
	record Accepted(String id, ResponseStatus status, boolean replayed, boolean joined, Map<String, String> links) {
	}

	@Operation(operationId = "startResponse", summary = "Report a detection: start a response, or join the open one")
	@ApiResponse(responseCode = "202", description = "A response started (or, with a known Idempotency-Key, the "
			+ "original answer replayed: replayed=true); Location is the response",
			headers = @Header(name = "Location", description = "The response", schema = @Schema(type = "string")))
	@ApiResponse(responseCode = "200", description = "The detection joined the target's open response "
			+ "(joined=true); nothing new was started. Content-Location is that response",
			headers = @Header(name = "Content-Location", description = "The open response",
					schema = @Schema(type = "string")))
	@ApiResponse(responseCode = "409", description = "The Idempotency-Key was used with another body, or the open "
			+ "response takes no more detections")
	@ApiResponse(responseCode = "422", description = "The identity, credential or playbook is unknown, or does not fit")
	@PostMapping
	ResponseEntity<Accepted> start(@Valid @RequestBody StartResponseRequest request,
			@RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey, Principal principal) {
		if (idempotencyKey != null && !idempotencyKey.matches(IDEMPOTENCY_KEY_PATTERN)) {
			throw new ApiException(HttpStatus.BAD_REQUEST,
					"Idempotency-Key must be 1 to 128 printable ASCII characters without spaces", "Idempotency-Key");
		}
		Responses.StartResult result = this.responses.start(request, principal.getName(), idempotencyKey);
		ResponseView response = result.response();
		Accepted body = new Accepted(response.id(), response.status(), result.replayed(), result.joined(),
				response.links());
		if (result.joined()) {
			// Nothing new was started: the existing response took the detection, and is where it was.
			return ResponseEntity.ok().header(HttpHeaders.CONTENT_LOCATION, response.links().get("self")).body(body);
		}
		return ResponseEntity.accepted().location(URI.create(response.links().get("self"))).body(body);
	}

	@Operation(operationId = "getResponse", summary = "Read a response: status, staged action, approvals, timeline")
	@ApiResponse(responseCode = "200", description = "The response")
	@ApiResponse(responseCode = "404", description = "No such response")
	@GetMapping("/{id}")
	ResponseView get(@PathVariable @Size(max = 36) String id) {
		return this.responses.find(id).orElseThrow(() -> new NotFoundException("response '" + id + "' does not exist"));
	}

	@Operation(operationId = "listResponses", summary = "List responses, newest first, by status and playbook")
	@ApiResponse(responseCode = "200", description = "One page of responses")
	@GetMapping
	ResponseView.Page list(@RequestParam(required = false) String status,
			@RequestParam(required = false) @Size(max = 64) String playbook,
			@RequestParam(defaultValue = "0") @Min(0) @Max(100000) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
		ResponseStatus parsed = null;
		if (status != null && !status.isBlank()) {
			try {
				parsed = ResponseStatus.valueOf(status.trim().toUpperCase());
			}
			catch (IllegalArgumentException ex) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "Unknown status '" + status + "'", "status");
			}
		}
		return this.responses.list(parsed, playbook == null || playbook.isBlank() ? null : playbook, page, size);
	}

}
