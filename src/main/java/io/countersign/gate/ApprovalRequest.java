package io.countersign.gate;

import java.time.Instant;

/**
 * One request for approval of one exact action (by fingerprint) of a response, with the policy's answer. The row,
 * not the process variables, is what the listener and the guard enforce.
 */
record ApprovalRequest(String id, String responseId, String purpose, String actionFingerprint, String policyRule,
		String policyVersion, String approverGroup, String escalationGroup, int requiredApprovals,
		String escalateAfter, String expireAfter, Status status, String deniedReason, Instant escalatedAt,
		Instant createdAt, Instant decidedAt, String receiptId, String receiptToken, Instant receiptExpiresAt,
		boolean containFirst, String requiredGroup, String rollbackWindow, ApprovalOptions options) {

	enum Status {

		/** Waiting for decisions. */
		OPEN,
		/** The quorum approved the fingerprint. */
		APPROVED,
		/** One approver rejected. */
		REJECTED,
		/** Nobody reached the quorum in time: denied. */
		EXPIRED,
		/** No policy rule allows the action: denied without asking anyone. */
		DENIED,
		/** An approver narrowed the action: this version is never applied, the narrowed one needs its own approval. */
		REVISED,
		/** An approver chose to keep monitoring: nothing is applied now, the playbook asks again later. */
		DEFERRED,
		/** The response ended while the request was open (its process instance deleted, or the run ended otherwise). */
		CANCELLED

	}

	boolean escalated() {
		return this.escalatedAt != null;
	}

}
