package io.countersign.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code agent_action}. Status changes name the status they expect, so two deciders cannot both win. */
@Repository
class AgentActionStore {

	private static final String COLUMNS = "id, account_id, agent, tool, arguments_json, arguments_hash, purpose, "
			+ "scope, requested_duration, request_hash, status, policy_rule, reviewer_group, decided_by, "
			+ "decision_reason, decided_at, approved_scope, approved_duration, approved_hash, grant_id, "
			+ "grant_request, receipt_id, receipt_token, access_expires_at, ended_by, end_reason, ended_at, "
			+ "use_count, created_at";

	private final JdbcClient jdbc;

	AgentActionStore(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(String id, String accountId, AgentActionRequest.Validated request, String requestHash,
			Instant now) {
		this.jdbc.sql("insert into agent_action (id, account_id, agent, tool, arguments_json, arguments_hash, "
				+ "purpose, scope, requested_duration, request_hash, status, created_at, updated_at) "
				+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(id, accountId, request.agent(), request.tool(), request.argumentsJson(), request.argumentsHash(),
					request.purpose(), request.scopeText(), request.durationSeconds(), requestHash,
					AgentActionStatus.PENDING.name(), ts(now), ts(now))
			.update();
	}

	Optional<AgentAction> find(String id) {
		return this.jdbc.sql("select " + COLUMNS + " from agent_action where id = ?")
			.param(id)
			.query(AgentActionStore::map)
			.optional();
	}

	/** Locks the row for a status change; the caller's transaction holds it until commit. */
	Optional<AgentAction> lock(String id) {
		return this.jdbc.sql("select " + COLUMNS + " from agent_action where id = ? for update")
			.param(id)
			.query(AgentActionStore::map)
			.optional();
	}

	void policy(String id, String rule, String reviewerGroup, Instant now) {
		this.jdbc.sql("update agent_action set policy_rule = ?, reviewer_group = ?, updated_at = ? where id = ?")
			.params(rule, reviewerGroup, ts(now), id)
			.update();
	}

	/** Records who decided and what they approved; the status changes when access is granted or refused. */
	boolean decide(String id, String decidedBy, String reason, String approvedScope, Integer approvedDuration,
			String approvedHash, String grantId, String grantRequest, Instant now) {
		return this.jdbc.sql("update agent_action set decided_by = ?, decision_reason = ?, decided_at = ?, "
				+ "approved_scope = ?, approved_duration = ?, approved_hash = ?, grant_id = ?, grant_request = ?, "
				+ "updated_at = ? where id = ? and status = ?")
			.params(decidedBy, reason, ts(now), approvedScope, approvedDuration, approvedHash, grantId, grantRequest,
					ts(now), id, AgentActionStatus.PENDING.name())
			.update() == 1;
	}

	boolean approve(String id, String receiptId, String receiptToken, Instant accessExpiresAt, Instant now) {
		return this.jdbc.sql("update agent_action set status = ?, receipt_id = ?, receipt_token = ?, "
				+ "access_expires_at = ?, updated_at = ? where id = ? and status = ?")
			.params(AgentActionStatus.APPROVED.name(), receiptId, receiptToken, ts(accessExpiresAt), ts(now), id,
					AgentActionStatus.PENDING.name())
			.update() == 1;
	}

	/** Ends a request or an access: {@code from} is the status it must still have. */
	boolean end(String id, AgentActionStatus from, AgentActionStatus to, String endedBy, String reason,
			Instant now) {
		return this.jdbc.sql("update agent_action set status = ?, ended_by = ?, end_reason = ?, ended_at = ?, "
				+ "updated_at = ? where id = ? and status = ?")
			.params(to.name(), endedBy, reason, ts(now), ts(now), id, from.name())
			.update() == 1;
	}

	void countUse(String id, Instant now) {
		this.jdbc.sql("update agent_action set use_count = use_count + 1, updated_at = ? where id = ?")
			.params(ts(now), id)
			.update();
	}

	List<String> approvedUnderGrant(String grantId) {
		return this.jdbc.sql("select id from agent_action where grant_id = ? and status = ?")
			.params(grantId, AgentActionStatus.APPROVED.name())
			.query(String.class)
			.list();
	}

	/** Statuses of the given actions, for waiters whose change may have happened on another node. */
	List<AgentActionWaiters.Status> statuses(List<String> ids) {
		if (ids.isEmpty()) {
			return List.of();
		}
		return this.jdbc.sql("select id, status from agent_action where id in (:ids)")
			.param("ids", ids)
			.query((rs, row) -> new AgentActionWaiters.Status(rs.getString(1),
					AgentActionStatus.valueOf(rs.getString(2))))
			.list();
	}

	private static AgentAction map(ResultSet rs, int row) throws SQLException {
		return new AgentAction(rs.getString("id"), rs.getString("account_id"), rs.getString("agent"),
				rs.getString("tool"), rs.getString("arguments_json"), rs.getString("arguments_hash"),
				rs.getString("purpose"), rs.getString("scope"), rs.getInt("requested_duration"),
				rs.getString("request_hash"), AgentActionStatus.valueOf(rs.getString("status")),
				rs.getString("policy_rule"), rs.getString("reviewer_group"), rs.getString("decided_by"),
				rs.getString("decision_reason"), instant(rs, "decided_at"), rs.getString("approved_scope"),
				(Integer) rs.getObject("approved_duration", Integer.class), rs.getString("approved_hash"),
				rs.getString("grant_id"), rs.getString("grant_request"), rs.getString("receipt_id"),
				rs.getString("receipt_token"), instant(rs, "access_expires_at"), rs.getString("ended_by"),
				rs.getString("end_reason"), instant(rs, "ended_at"), rs.getInt("use_count"),
				instant(rs, "created_at"));
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return value == null ? null : value.toInstant();
	}

	static Timestamp ts(Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

}
