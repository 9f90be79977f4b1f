package io.countersign.gate;

import java.util.List;

/**
 * Where a request stands: {@code approvers} are the distinct, eligible people who approved the request's exact
 * fingerprint. One rejection rejects, whatever the count. {@code missingGroup} is the policy's required group while
 * none of the approvers belongs to it.
 */
record Quorum(ApprovalRequest.Status state, List<String> approvers, int required, String missingGroup) {

	int stillNeeded() {
		return Math.max(this.missingGroup == null ? 0 : 1, this.required - this.approvers.size());
	}

	String describe() {
		return this.approvers.size() + " of " + this.required + " approval(s)"
				+ (this.approvers.isEmpty() ? "" : " (" + String.join(", ", this.approvers) + ")")
				+ (this.missingGroup == null ? "" : "; one from " + this.missingGroup + " still needed");
	}

}
