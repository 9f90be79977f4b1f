package io.countersign.gate;

import java.util.List;

/**
 * Where a request stands: {@code approvers} are the distinct, eligible people who approved the request's exact
 * fingerprint. One rejection rejects, whatever the count.
 */
record Quorum(ApprovalRequest.Status state, List<String> approvers, int required) {

	int stillNeeded() {
		return Math.max(0, this.required - this.approvers.size());
	}

	String describe() {
		return this.approvers.size() + " of " + this.required + " approval(s)"
				+ (this.approvers.isEmpty() ? "" : " (" + String.join(", ", this.approvers) + ")");
	}

}
