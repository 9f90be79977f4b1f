package io.countersign.agent;

import java.time.Instant;

/** One row of {@code agent_grant}. */
record StandingGrant(String id, String accountId, String agent, String tool, GrantKind kind, String argumentsHash,
		String patternJson, String scope, int maxDuration, String createdBy, String reason, String sourceActionId,
		Instant createdAt, Instant expiresAt, String revokedBy, String revokeReason, Instant revokedAt, int useCount) {

	boolean active(Instant now) {
		return this.revokedAt == null && this.expiresAt.isAfter(now);
	}

	String status(Instant now) {
		if (this.revokedAt != null) {
			return "REVOKED";
		}
		return this.expiresAt.isAfter(now) ? "ACTIVE" : "EXPIRED";
	}

}
