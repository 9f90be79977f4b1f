package io.countersign.gate;

import jakarta.validation.constraints.Size;

/**
 * An analyst's decision through our API. Presence and values are checked by the engine-side
 * gate, so this channel answers exactly like Tasklist and engine-rest.
 */
record DecisionRequest(@Size(max = 16) String decision, @Size(max = ApprovalVariables.MAX_REASON_LENGTH) String reason,
		@Size(max = 80) String fingerprint) {
}
