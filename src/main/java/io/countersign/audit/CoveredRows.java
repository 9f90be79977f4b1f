package io.countersign.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Puts the approval tables under the chain. An entry about an approval request ({@code data.approvalRequest}) gets
 * the hash of that request's row as it is when the entry commits; a decision entry (DECIDED, NARROWED, DEFERRED)
 * also gets the id and hash of the decision row its actor just inserted. Verification recomputes both from the
 * tables: a decision row without its entry, an entry without its row, or a row whose fields changed breaks the
 * ledger as an edited entry does.
 *
 * <p>A row hash is the SHA-256 of the canonical JSON of the row's fields that decide an approval. A request row
 * leaves out escalated_at and the receipt columns, which legitimately change after its last entry; its other
 * fields only change together with an entry (open, decide, expire), so its latest entry's hash must match.
 */
final class CoveredRows {

	/** The entry types that record one decision row, the one their actor inserted. */
	static final Set<String> DECISION_TYPES = Set.of("DECIDED", "NARROWED", "DEFERRED");

	static final String REQUEST = "approvalRequest";

	static final String REQUEST_HASH = "approvalRequestRowHash";

	static final String DECISION_ID = "decisionRow";

	static final String DECISION_HASH = "decisionRowHash";

	static final String DECISION_COLUMNS = "id, approval_request_id, response_id, task_id, approver, decision, reason, "
			+ "action_fingerprint, decided_at, details";

	static final String REQUEST_COLUMNS = "id, response_id, purpose, action_fingerprint, policy_rule, policy_version, "
			+ "approver_group, escalation_group, required_approvals, escalate_after, expire_after, status, "
			+ "denied_reason, created_at, decided_at, contain_first, required_group, rollback_window, options";

	private final JdbcClient jdbc;

	CoveredRows(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The data to hash for an entry about to be written: {@code data} with the row hashes added, or {@code data}
	 * itself when the entry is about no approval row. Runs inside the appending transaction, so it sees that
	 * transaction's own rows.
	 */
	JsonNode cover(String type, String actor, JsonNode data) {
		if (data == null || !data.path(REQUEST).isTextual()) {
			return data;
		}
		String requestId = data.path(REQUEST).asText();
		ObjectNode covered = data.deepCopy();
		requestRow(requestId).ifPresent(row -> covered.put(REQUEST_HASH, row.hash()));
		if (DECISION_TYPES.contains(type) && actor != null) {
			this.jdbc.sql("select " + DECISION_COLUMNS + " from approval_decision where approval_request_id = ? "
					+ "and approver = ? order by id desc limit 1")
				.params(requestId, actor)
				.query(CoveredRows::decisionRow)
				.optional()
				.ifPresent(row -> covered.put(DECISION_ID, row.id()).put(DECISION_HASH, row.hash()));
		}
		return covered;
	}

	Optional<Row> requestRow(String id) {
		return this.jdbc.sql("select " + REQUEST_COLUMNS + " from approval_request where id = ?")
			.param(id)
			.query(CoveredRows::requestRow)
			.optional();
	}

	/** A decision row: its id and hash. */
	record Row(String key, long id, String hash, Instant createdAt) {
	}

	static Row decisionRow(ResultSet rs, int rowNum) throws SQLException {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("table", "approval_decision");
		fields.put("id", rs.getLong("id"));
		fields.put("approvalRequestId", rs.getString("approval_request_id"));
		fields.put("responseId", rs.getString("response_id"));
		fields.put("taskId", rs.getString("task_id"));
		fields.put("approver", rs.getString("approver"));
		fields.put("decision", rs.getString("decision"));
		fields.put("reason", rs.getString("reason"));
		fields.put("actionFingerprint", rs.getString("action_fingerprint"));
		fields.put("decidedAt", instant(rs, "decided_at"));
		fields.put("details", rs.getString("details"));
		return new Row(Long.toString(rs.getLong("id")), rs.getLong("id"), hash(fields), null);
	}

	static Row requestRow(ResultSet rs, int rowNum) throws SQLException {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("table", "approval_request");
		fields.put("id", rs.getString("id"));
		fields.put("responseId", rs.getString("response_id"));
		fields.put("purpose", rs.getString("purpose"));
		fields.put("actionFingerprint", rs.getString("action_fingerprint"));
		fields.put("policyRule", rs.getString("policy_rule"));
		fields.put("policyVersion", rs.getString("policy_version"));
		fields.put("approverGroup", rs.getString("approver_group"));
		fields.put("escalationGroup", rs.getString("escalation_group"));
		fields.put("requiredApprovals", rs.getInt("required_approvals"));
		fields.put("escalateAfter", rs.getString("escalate_after"));
		fields.put("expireAfter", rs.getString("expire_after"));
		fields.put("status", rs.getString("status"));
		fields.put("deniedReason", rs.getString("denied_reason"));
		fields.put("createdAt", instant(rs, "created_at"));
		fields.put("decidedAt", instant(rs, "decided_at"));
		fields.put("containFirst", rs.getBoolean("contain_first"));
		fields.put("requiredGroup", rs.getString("required_group"));
		fields.put("rollbackWindow", rs.getString("rollback_window"));
		fields.put("options", rs.getString("options"));
		OffsetDateTime created = rs.getObject("created_at", OffsetDateTime.class);
		return new Row(rs.getString("id"), 0, hash(fields), created == null ? null : created.toInstant());
	}

	private static String instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant().toString();
	}

	private static String hash(Map<String, Object> fields) {
		return StagedAction.sha256(CanonicalJson.write(LedgerHashes.JSON.<JsonNode>valueToTree(fields)));
	}

}
