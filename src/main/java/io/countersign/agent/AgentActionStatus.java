package io.countersign.agent;

/** Where an agent's request stands. Only {@link #APPROVED} lets a tool call through, and only until it expires. */
enum AgentActionStatus {

	/** Waiting for a reviewer. */
	PENDING,

	/** Approved by a reviewer or a standing grant; the receipt is valid until the approved duration ends. */
	APPROVED,

	/** Refused by a reviewer or by policy. */
	DENIED,

	/** Nobody decided in time. An expired request is denied, never approved. */
	EXPIRED,

	/** Access ended: the approved duration elapsed, or a reviewer or lead revoked it early. */
	REVOKED;

	boolean isFinal() {
		return this == DENIED || this == EXPIRED || this == REVOKED;
	}

}
