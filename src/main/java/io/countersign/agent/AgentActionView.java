package io.countersign.agent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent action as the API shows it. The receipt token goes only to the account that asked: it is a bearer
 * authorisation for the call, and a reviewer has no use for it.
 */
record AgentActionView(String id, AgentActionStatus status, String agent, String accountId, String tool,
		JsonNode arguments, String argumentsHash, String purpose, String scope, int durationSeconds,
		String requestHash, String policyRule, Decision decision, Receipt receipt, Instant accessExpiresAt,
		Ended ended, int uses, Instant createdAt, Map<String, String> links) {

	/**
	 * @param outcome APPROVED or DENIED
	 * @param reviewer the person who decided, or {@code grant:<id>} or {@code policy}
	 * @param edited the reviewer shortened the duration or narrowed the scope
	 */
	record Decision(String outcome, String reviewer, String reason, Instant decidedAt, String approvedScope,
			Integer approvedDurationSeconds, String requestHash, boolean edited, String grant) {
	}

	record Receipt(String id, String token, Instant expiresAt, String argumentsHash) {
	}

	/** Why a request or an access ended, and who ended it ({@code timer} when time ran out). */
	record Ended(String by, String reason, Instant at) {
	}

	static AgentActionView of(AgentAction action, boolean withToken) {
		Decision decision = null;
		if (action.status() == AgentActionStatus.DENIED && action.decidedBy() == null) {
			decision = new Decision("DENIED", action.endedBy(), action.endReason(), action.endedAt(), null, null, null,
					false, null);
		}
		else if (action.decidedBy() != null && action.status() != AgentActionStatus.PENDING) {
			boolean approved = action.approvedHash() != null && action.status() != AgentActionStatus.DENIED;
			decision = new Decision(approved ? "APPROVED" : "DENIED", action.decidedBy(), action.decisionReason(),
					action.decidedAt(), approved ? action.approvedScope() : null,
					approved ? action.approvedDuration() : null, approved ? action.approvedHash() : null,
					approved && action.edited(), action.grantId());
		}
		Receipt receipt = action.receiptId() == null ? null
				: new Receipt(action.receiptId(), withToken ? action.receiptToken() : null, action.accessExpiresAt(),
						action.argumentsHash());
		Ended ended = action.endedAt() == null ? null
				: new Ended(action.endedBy(), action.endReason(), action.endedAt());
		String self = "/api/v1/agent-actions/" + action.id();
		Map<String, String> links = new LinkedHashMap<>();
		links.put("self", self);
		links.put("wait", self + "?waitSeconds=" + AgentActionWaiters.MAX_WAIT_SECONDS);
		links.put("uses", self + "/uses");
		links.put("jwks", "/.well-known/jwks.json");
		links.put("audit", "/api/v1/audit?response=" + action.id());
		return new AgentActionView(action.id(), action.status(), action.agent(), action.accountId(), action.tool(),
				parse(action.argumentsJson()), action.argumentsHash(), action.purpose(), action.scope(),
				action.requestedDuration(), action.requestHash(), action.policyRule(), decision, receipt,
				action.accessExpiresAt(), ended, action.useCount(), action.createdAt(), links);
	}

	private static JsonNode parse(String json) {
		try {
			return AgentJson.MAPPER.readTree(json);
		}
		catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
			throw new IllegalStateException("stored arguments are not JSON", ex);
		}
	}

}
