package io.countersign.response;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A response as integrators and analysts read it. {@code summary}, {@code source}, {@code severity} and
 * {@code evidence} are those of the detection that started it; {@code detections} lists that one and every one that
 * joined it since.
 */
public record ResponseView(String id, String playbook, ResponseStatus status, String identity, String credential,
		String requestedBy, String summary, String source, String severity, String environment, JsonNode evidence,
		List<DetectionView> detections, StagedActionView stagedAction, JsonNode blastRadius, String rollbackPlan, List<ApprovalView> approvals,
		List<DecisionView> decisions, List<TimelineEntry> timeline, Instant createdAt, Instant updatedAt,
		Map<String, String> links) {

	/**
	 * One detection of the target, in the order received: {@code seq} 1 started the response. {@code environment} is
	 * what it reported; null for detections stored before it was kept.
	 */
	public record DetectionView(int seq, String source, String summary, String severity, String requestedBy,
			Instant receivedAt, JsonNode evidence, String environment) {
	}

	public record StagedActionView(String type, String target, JsonNode parameters, String fingerprint) {
	}

	/**
	 * One request for approval: what the policy asked for (rule and deployed version) and where it stands. A denied
	 * request names its reason; an approved one the receipt that was issued.
	 */
	public record ApprovalView(String id, String purpose, String fingerprint, String policyRule, String policyVersion,
			String approverGroup, String escalationGroup, int requiredApprovals, String status, String deniedReason,
			Instant escalatedAt, Instant createdAt, Instant decidedAt, String receiptId, Instant receiptExpiresAt) {
	}

	public record DecisionView(String approver, String decision, String reason, String fingerprint, Instant at) {
	}

	/** One entry of the decision ledger; {@code seq} and {@code hash} locate it in the chain. */
	public record TimelineEntry(Instant at, String type, String actor, String detail, long seq, String hash) {
	}

	/** The short form used in lists. */
	@Schema(name = "ResponseSummary")
	public record Summary(String id, String playbook, ResponseStatus status, String identity, String credential,
			String requestedBy, String summary, String severity, Instant createdAt, Instant updatedAt,
			Map<String, String> links) {
	}

	@Schema(name = "ResponsePage")
	public record Page(List<Summary> items, int page, int size, long totalItems) {
	}

}
