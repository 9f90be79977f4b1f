package io.countersign.agent;

import java.time.Instant;
import java.util.List;

/** One row of {@code agent_action}. */
record AgentAction(String id, String accountId, String agent, String tool, String argumentsJson,
		String argumentsHash, String purpose, String scope, int requestedDuration, String requestHash,
		AgentActionStatus status, String policyRule, String reviewerGroup, String decidedBy, String decisionReason,
		Instant decidedAt, String approvedScope, Integer approvedDuration, String approvedHash, String grantId,
		String grantRequest, String receiptId, String receiptToken, Instant accessExpiresAt, String endedBy,
		String endReason, Instant endedAt, int useCount, Instant createdAt) {

	List<String> scopeTokens() {
		return AgentActionRequest.scopeTokens(this.scope, "scope");
	}

	/** The reviewer changed what was asked: a shorter duration or fewer scopes. */
	boolean edited() {
		return this.approvedHash != null && !this.approvedHash.equals(this.requestHash);
	}

}
