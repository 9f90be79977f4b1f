package io.countersign.response;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ResponseRepository {

	private final JdbcClient jdbc;

	ResponseRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	record Row(String id, String playbook, ResponseStatus status, String identity, String credential,
			String requestedBy, String summary, String source, String severity, String environment, String evidence,
			String stagedAction, String actionFingerprint, String blastRadius, String rollbackPlan,
			String processInstanceId, String idempotencyKey, String requestHash, Instant createdAt,
			Instant updatedAt) {

		ResponseRecord toRecord() {
			return new ResponseRecord(this.id, this.playbook, this.status, this.identity, this.credential,
					this.requestedBy, this.stagedAction, this.actionFingerprint, this.processInstanceId, this.severity,
					this.environment, this.summary);
		}

	}

	/** One detection of a response, as received; {@code seq} 1 is the one that started it. */
	record Detection(String responseId, int seq, String source, String summary, String severity, String evidence,
			String requestedBy, Instant receivedAt, String idempotencyKey, String requestHash, String environment) {

		Detection(String responseId, int seq, String source, String summary, String severity, String evidence,
				String requestedBy, Instant receivedAt, String idempotencyKey, String requestHash) {
			this(responseId, seq, source, summary, severity, evidence, requestedBy, receivedAt, idempotencyKey,
					requestHash, null);
		}

	}

	/** The statuses of a response that may still act, as SQL literals. */
	private static final String OPEN_STATUSES = Arrays.stream(ResponseStatus.values())
		.filter(status -> !status.isTerminal())
		.map(status -> "'" + status.name() + "'")
		.collect(Collectors.joining(", "));

	void insert(Row row) {
		this.jdbc.sql("""
				insert into response (id, playbook, status, identity_id, credential_id, requested_by, summary, source,
				  severity, environment, evidence, idempotency_key, request_hash, created_at, updated_at)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(row.id(), row.playbook(), row.status().name(), row.identity(), row.credential(), row.requestedBy(),
					row.summary(), row.source(), row.severity(), row.environment(), row.evidence(),
					row.idempotencyKey(), row.requestHash(), ts(row.createdAt()), ts(row.updatedAt()))
			.update();
	}

	/**
	 * Locks the identity's inventory row until the transaction ends, so starts for one identity run one after the
	 * other; false when the identity is gone.
	 */
	boolean lockIdentity(String identityId) {
		return this.jdbc.sql("select id from nhi_identity where id = ? for update")
			.param(identityId)
			.query(String.class)
			.optional()
			.isPresent();
	}

	/** Ids of the responses of this playbook for this target that have not ended yet, oldest first. */
	List<String> findOpen(String playbook, String identity, String credential) {
		String sql = "select id from response where identity_id = ? and playbook = ? and status in (" + OPEN_STATUSES
				+ ") and " + (credential == null ? "credential_id is null" : "credential_id = ?")
				+ " order by created_at, id";
		List<Object> params = new ArrayList<>(List.of(identity, playbook));
		if (credential != null) {
			params.add(credential);
		}
		return this.jdbc.sql(sql).params(params).query(String.class).list();
	}

	/** Reads the response and locks its row, so it cannot end while the caller adds to it. */
	Optional<Row> lock(String id) {
		return this.jdbc.sql("select * from response where id = ? for update")
			.param(id)
			.query(ResponseRepository::map)
			.optional();
	}

	void touch(String id, Instant now) {
		this.jdbc.sql("update response set updated_at = ? where id = ?").params(ts(now), id).update();
	}

	void insertDetection(Detection detection) {
		this.jdbc.sql("""
				insert into response_detection (response_id, seq, source, summary, severity, evidence, requested_by,
				  received_at, idempotency_key, request_hash, environment)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(detection.responseId(), detection.seq(), detection.source(), detection.summary(),
					detection.severity(), detection.evidence(), detection.requestedBy(), ts(detection.receivedAt()),
					detection.idempotencyKey(), detection.requestHash(), detection.environment())
			.update();
	}

	/** The highest detection number of the response: 1 until a detection joins it. */
	int lastDetectionSeq(String responseId) {
		return this.jdbc.sql("select coalesce(max(seq), 0) from response_detection where response_id = ?")
			.param(responseId)
			.query(Integer.class)
			.single();
	}

	List<Detection> detections(String responseId) {
		return this.jdbc.sql("select * from response_detection where response_id = ? order by seq")
			.param(responseId)
			.query(ResponseRepository::mapDetection)
			.list();
	}

	/** Everyone who reported a detection of the response: the one who started it and each one who joined it. */
	List<String> requesters(String responseId) {
		return this.jdbc.sql("select distinct requested_by from response_detection where response_id = ?")
			.param(responseId)
			.query(String.class)
			.list();
	}

	Optional<Detection> findDetectionByIdempotencyKey(String requester, String key) {
		return this.jdbc.sql("select * from response_detection where requested_by = ? and idempotency_key = ?")
			.params(requester, key)
			.query(ResponseRepository::mapDetection)
			.optional();
	}

	void setProcessInstance(String id, String processInstanceId) {
		this.jdbc.sql("update response set process_instance_id = ? where id = ?").params(processInstanceId, id).update();
	}

	void staged(String id, String stagedAction, String fingerprint, String blastRadius, String rollbackPlan,
			ResponseStatus status, Instant now) {
		this.jdbc.sql("""
				update response set staged_action = ?, action_fingerprint = ?, blast_radius = ?, rollback_plan = ?,
				  status = ?, updated_at = ? where id = ?""")
			.params(stagedAction, fingerprint, blastRadius, rollbackPlan, status.name(), ts(now), id)
			.update();
	}

	/** Moves to {@code status} unless the response already ended: a terminal status is final. */
	boolean transition(String id, ResponseStatus status, Instant now) {
		return this.jdbc
			.sql("update response set status = ?, updated_at = ? where id = ? and status in (" + OPEN_STATUSES + ")")
			.params(status.name(), ts(now), id)
			.update() == 1;
	}

	Optional<Row> find(String id) {
		return this.jdbc.sql("select * from response where id = ?").param(id).query(ResponseRepository::map).optional();
	}

	List<Row> list(ResponseStatus status, String playbook, int page, int size) {
		StringBuilder sql = new StringBuilder("select * from response where 1 = 1");
		List<Object> params = new ArrayList<>();
		filter(sql, params, status, playbook);
		sql.append(" order by created_at desc, id limit ? offset ?");
		params.add(size);
		params.add((long) page * size);
		return this.jdbc.sql(sql.toString()).params(params).query(ResponseRepository::map).list();
	}

	long count(ResponseStatus status, String playbook) {
		StringBuilder sql = new StringBuilder("select count(*) from response where 1 = 1");
		List<Object> params = new ArrayList<>();
		filter(sql, params, status, playbook);
		return this.jdbc.sql(sql.toString()).params(params).query(Long.class).single();
	}

	List<ResponseView.ApprovalView> approvals(String responseId) {
		return this.jdbc.sql("select * from approval_request where response_id = ? order by created_at, id")
			.param(responseId)
			.query((rs, n) -> new ResponseView.ApprovalView(rs.getString("id"), rs.getString("purpose"),
					rs.getString("action_fingerprint"), rs.getString("policy_rule"), rs.getString("policy_version"),
					rs.getString("approver_group"), rs.getString("escalation_group"), rs.getInt("required_approvals"),
					rs.getString("status"), rs.getString("denied_reason"), instant(rs, "escalated_at"),
					instant(rs, "created_at"), instant(rs, "decided_at"), rs.getString("receipt_id"),
					instant(rs, "receipt_expires_at")))
			.list();
	}

	List<ResponseView.DecisionView> decisions(String responseId) {
		return this.jdbc.sql("""
				select approver, decision, reason, action_fingerprint, decided_at from approval_decision
				where response_id = ? order by id""")
			.param(responseId)
			.query((rs, n) -> new ResponseView.DecisionView(rs.getString("approver"), rs.getString("decision"),
					rs.getString("reason"), rs.getString("action_fingerprint"), instant(rs, "decided_at")))
			.list();
	}

	private static void filter(StringBuilder sql, List<Object> params, ResponseStatus status, String playbook) {
		if (status != null) {
			sql.append(" and status = ?");
			params.add(status.name());
		}
		if (playbook != null) {
			sql.append(" and playbook = ?");
			params.add(playbook);
		}
	}

	private static Row map(ResultSet rs, int rowNum) throws SQLException {
		return new Row(rs.getString("id"), rs.getString("playbook"), ResponseStatus.valueOf(rs.getString("status")),
				rs.getString("identity_id"), rs.getString("credential_id"), rs.getString("requested_by"),
				rs.getString("summary"), rs.getString("source"), rs.getString("severity"), rs.getString("environment"),
				rs.getString("evidence"), rs.getString("staged_action"), rs.getString("action_fingerprint"),
				rs.getString("blast_radius"), rs.getString("rollback_plan"), rs.getString("process_instance_id"),
				rs.getString("idempotency_key"), rs.getString("request_hash"), instant(rs, "created_at"),
				instant(rs, "updated_at"));
	}

	private static Detection mapDetection(ResultSet rs, int rowNum) throws SQLException {
		return new Detection(rs.getString("response_id"), rs.getInt("seq"), rs.getString("source"),
				rs.getString("summary"), rs.getString("severity"), rs.getString("evidence"), rs.getString("requested_by"),
				instant(rs, "received_at"), rs.getString("idempotency_key"), rs.getString("request_hash"),
				rs.getString("environment"));
	}

	private static Timestamp ts(Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return value == null ? null : value.toInstant();
	}

}
