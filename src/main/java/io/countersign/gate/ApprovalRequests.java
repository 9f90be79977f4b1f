package io.countersign.gate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Approval requests and their decisions. Decisions are only ever inserted. */
@Repository
class ApprovalRequests {

	private final JdbcClient jdbc;

	ApprovalRequests(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(ApprovalRequest request) {
		this.jdbc.sql("""
				insert into approval_request (id, response_id, purpose, action_fingerprint, policy_rule, policy_version,
				    approver_group, escalation_group, required_approvals, escalate_after, expire_after, status,
				    denied_reason, created_at, decided_at, contain_first, required_group, rollback_window, options)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(request.id(), request.responseId(), request.purpose(), request.actionFingerprint(),
					request.policyRule(), request.policyVersion(), request.approverGroup(), request.escalationGroup(),
					request.requiredApprovals(), request.escalateAfter(), request.expireAfter(), request.status().name(),
					request.deniedReason(), ts(request.createdAt()), ts(request.decidedAt()), request.containFirst(),
					request.requiredGroup(), request.rollbackWindow(), request.options().format())
			.update();
	}

	Optional<ApprovalRequest> find(String id) {
		return this.jdbc.sql("select * from approval_request where id = ?")
			.param(id)
			.query(ApprovalRequests::map)
			.optional();
	}

	/** The newest request of a response for this exact action. */
	Optional<ApprovalRequest> latestFor(String responseId, String actionFingerprint) {
		return this.jdbc.sql("""
				select * from approval_request where response_id = ? and action_fingerprint = ?
				order by created_at desc, id desc""")
			.params(responseId, actionFingerprint)
			.query(ApprovalRequests::map)
			.list()
			.stream()
			.findFirst();
	}

	/** Moves an open request to {@code status}; false when it was no longer open. */
	boolean close(String id, ApprovalRequest.Status status, Instant now) {
		return this.jdbc.sql("update approval_request set status = ?, decided_at = ? where id = ? and status = 'OPEN'")
			.params(status.name(), ts(now), id)
			.update() == 1;
	}

	/**
	 * Makes an open request stricter. The update only ever grows the quorum and only ever adds a required group, so a
	 * raise computed from a stale read cannot lower what another raise set. False when the request is no longer open.
	 */
	boolean raise(String id, String policyRule, int requiredApprovals, String requiredGroup) {
		return this.jdbc.sql("""
				update approval_request set policy_rule = ?, required_approvals = ?, required_group = ?
				where id = ? and status = 'OPEN' and required_approvals <= ?
				  and (required_group is null or required_group = ?)""")
			.params(policyRule, requiredApprovals, requiredGroup, id, requiredApprovals, requiredGroup)
			.update() == 1;
	}

	boolean markEscalated(String id, Instant now) {
		return this.jdbc
			.sql("update approval_request set escalated_at = ? where id = ? and status = 'OPEN' and escalated_at is null")
			.params(ts(now), id)
			.update() == 1;
	}

	void storeReceipt(String id, String receiptId, String token, Instant expiresAt) {
		this.jdbc.sql("update approval_request set receipt_id = ?, receipt_token = ?, receipt_expires_at = ? where id = ?")
			.params(receiptId, token, ts(expiresAt), id)
			.update();
	}

	void appendDecision(String requestId, String responseId, String taskId, String approver, String decision,
			String reason, String actionFingerprint, Instant at, String details) {
		this.jdbc.sql("""
				insert into approval_decision (approval_request_id, response_id, task_id, approver, decision, reason,
				    action_fingerprint, decided_at, details)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(requestId, responseId, taskId, approver, decision, reason, actionFingerprint, ts(at), details)
			.update();
	}

	List<Decision> decisions(String requestId) {
		return this.jdbc.sql("""
				select approver, decision, reason, action_fingerprint, decided_at, details from approval_decision
				where approval_request_id = ? order by id""")
			.param(requestId)
			.query((rs, n) -> new Decision(rs.getString("approver"), rs.getString("decision"), rs.getString("reason"),
					rs.getString("action_fingerprint"), instant(rs, "decided_at"), rs.getString("details")))
			.list();
	}

	/** The newest request of a response, whatever its action. */
	Optional<ApprovalRequest> latest(String responseId) {
		return this.jdbc.sql("select * from approval_request where response_id = ? order by created_at desc, id desc")
			.param(responseId)
			.query(ApprovalRequests::map)
			.list()
			.stream()
			.findFirst();
	}

	/** @param details JSON of what was submitted besides the decision (narrowed values, period, confirmations) */
	record Decision(String approver, String decision, String reason, String fingerprint, Instant at, String details) {
	}

	private static ApprovalRequest map(ResultSet rs, int row) throws SQLException {
		return new ApprovalRequest(rs.getString("id"), rs.getString("response_id"), rs.getString("purpose"),
				rs.getString("action_fingerprint"), rs.getString("policy_rule"), rs.getString("policy_version"),
				rs.getString("approver_group"), rs.getString("escalation_group"), rs.getInt("required_approvals"),
				rs.getString("escalate_after"), rs.getString("expire_after"),
				ApprovalRequest.Status.valueOf(rs.getString("status")), rs.getString("denied_reason"),
				instant(rs, "escalated_at"), instant(rs, "created_at"), instant(rs, "decided_at"),
				rs.getString("receipt_id"), rs.getString("receipt_token"), instant(rs, "receipt_expires_at"),
				rs.getBoolean("contain_first"), rs.getString("required_group"), rs.getString("rollback_window"),
				ApprovalOptions.parse(rs.getString("options")));
	}

	private static Timestamp ts(Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return value == null ? null : value.toInstant();
	}

}
