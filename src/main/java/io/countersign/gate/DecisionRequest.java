package io.countersign.gate;

import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Pattern;

import jakarta.validation.constraints.Size;

/**
 * An analyst's decision through our API. Presence and values are checked by the engine-side
 * gate, so this channel answers exactly like Tasklist and engine-rest.
 */
record DecisionRequest(@Size(max = 16) String decision, @Size(max = ApprovalVariables.MAX_REASON_LENGTH) String reason,
		@Size(max = 80) String fingerprint, @Size(max = 100) List<@Size(max = 256) String> narrowedTo,
		@Size(max = 32) String monitorFor,
		@Size(max = 10) Map<@Size(max = 64) @Pattern(regexp = "[A-Za-z][A-Za-z0-9]{0,63}") String, @Size(
				max = ApprovalVariables.MAX_CONFIRMATION_LENGTH) String> confirmations) {

	DecisionRequest(String decision, String reason, String fingerprint) {
		this(decision, reason, fingerprint, null, null, null);
	}

}
