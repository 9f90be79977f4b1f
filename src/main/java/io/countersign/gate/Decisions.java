package io.countersign.gate;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The append-only decision store. Written in the transaction that completes the task, read back
 * through {@code Responses#decisions} by the execution guard: process variables can be changed through engine-rest, these rows cannot.
 */
@Repository
class Decisions {

	private final JdbcClient jdbc;

	Decisions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void append(String responseId, String taskId, String approver, String decision, String reason,
			String actionFingerprint, Instant at) {
		this.jdbc.sql("""
				insert into approval_decision (response_id, task_id, approver, decision, reason, action_fingerprint, decided_at)
				values (?, ?, ?, ?, ?, ?, ?)""")
			.params(responseId, taskId, approver, decision, reason, actionFingerprint, Timestamp.from(at))
			.update();
	}

}
