package io.countersign.gate;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The append-only decision store. Written in the transaction that completes the task, read by
 * the execution guard: process variables can be changed through engine-rest, these rows cannot.
 */
@Repository
class Decisions {

	private final JdbcClient jdbc;

	Decisions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	record Decision(String approver, String decision, String reason, String actionFingerprint, Instant decidedAt) {
	}

	void append(String responseId, String taskId, String approver, String decision, String reason,
			String actionFingerprint, Instant at) {
		this.jdbc.sql("""
				insert into approval_decision (response_id, task_id, approver, decision, reason, action_fingerprint, decided_at)
				values (?, ?, ?, ?, ?, ?, ?)""")
			.params(responseId, taskId, approver, decision, reason, actionFingerprint, Timestamp.from(at))
			.update();
	}

	List<Decision> of(String responseId) {
		return this.jdbc.sql("""
				select approver, decision, reason, action_fingerprint, decided_at from approval_decision
				where response_id = ? order by id""")
			.param(responseId)
			.query((rs, n) -> new Decision(rs.getString("approver"), rs.getString("decision"), rs.getString("reason"),
					rs.getString("action_fingerprint"), rs.getTimestamp("decided_at").toInstant()))
			.list();
	}

}
