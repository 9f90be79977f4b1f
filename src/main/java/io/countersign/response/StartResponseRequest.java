package io.countersign.response;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.inventory.Environment;
import io.countersign.inventory.IdentityUpsertRequest;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A detection an integrator wants handled. The requester is the authenticated principal,
 * never a field here. Limits: see the README's API section.
 */
public record StartResponseRequest(@NotBlank @Size(max = 64) String playbook,
		@NotBlank @Pattern(regexp = IdentityUpsertRequest.ID_PATTERN) String identity,
		@Pattern(regexp = IdentityUpsertRequest.ID_PATTERN) String credential,
		@NotBlank @Size(max = 500) String summary, @NotBlank @Size(max = 128) String source,
		@NotNull Severity severity, @NotNull Environment environment, JsonNode evidence) {

	/** Evidence is stored and shown to approvers; beyond this it belongs in the source system. */
	public static final int MAX_EVIDENCE_BYTES = 64 * 1024;

}
