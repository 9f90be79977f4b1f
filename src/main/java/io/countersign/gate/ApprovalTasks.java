package io.countersign.gate;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Which approval request each approval task decides, written when the task is created. */
@Repository
class ApprovalTasks {

	record ApprovalTask(String taskId, String requestId, String responseId) {
	}

	private final JdbcClient jdbc;

	ApprovalTasks(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(ApprovalTask task, Instant now) {
		this.jdbc.sql("insert into approval_task (task_id, request_id, response_id, created_at) values (?, ?, ?, ?)")
			.params(task.taskId(), task.requestId(), task.responseId(), Timestamp.from(now))
			.update();
	}

	Optional<ApprovalTask> find(String taskId) {
		return this.jdbc.sql("select task_id, request_id, response_id from approval_task where task_id = ?")
			.param(taskId)
			.query((rs, row) -> new ApprovalTask(rs.getString("task_id"), rs.getString("request_id"),
					rs.getString("response_id")))
			.optional();
	}

}
