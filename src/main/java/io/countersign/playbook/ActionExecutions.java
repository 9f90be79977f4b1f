package io.countersign.playbook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.countersign.action.StagedAction;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The actions staged for each response, by purpose, with the receipt that authorised each one. */
@Repository
class ActionExecutions {

	enum Status {

		STAGED, APPLIED, VERIFIED, ROLLED_BACK, RELEASED

	}

	record Execution(String id, String responseId, String purpose, StagedAction action, String connector,
			Status status, String approvalRequestId, String receipt) {

		/** One key per action version and purpose: every retry of apply carries it, and undo looks it up. */
		String idempotencyKey() {
			return this.responseId + ":" + this.purpose + ":" + this.action.fingerprint();
		}

	}

	private final JdbcClient jdbc;

	ActionExecutions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(Execution execution, Instant now) {
		this.jdbc.sql("""
				insert into action_execution (id, response_id, purpose, action_type, target, action_json, fingerprint,
				    connector, status, created_at, updated_at)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(execution.id(), execution.responseId(), execution.purpose(), execution.action().type(),
					execution.action().target(), execution.action().toJson(), execution.action().fingerprint(),
					execution.connector(), execution.status().name(), ts(now), ts(now))
			.update();
	}

	/** The newest action of a response for a purpose. */
	Optional<Execution> latest(String responseId, String purpose) {
		return this.jdbc.sql("""
				select * from action_execution where response_id = ? and purpose = ?
				order by created_at desc, id desc""")
			.params(responseId, purpose)
			.query(ActionExecutions::map)
			.list()
			.stream()
			.findFirst();
	}

	List<Execution> forResponse(String responseId) {
		return this.jdbc.sql("select * from action_execution where response_id = ? order by created_at, id")
			.param(responseId)
			.query(ActionExecutions::map)
			.list();
	}

	void applied(String id, String approvalRequestId, String receipt, Instant now) {
		this.jdbc.sql("""
				update action_execution set status = 'APPLIED', approval_request_id = ?, receipt_token = ?, updated_at = ?
				where id = ?""")
			.params(approvalRequestId, receipt, ts(now), id)
			.update();
	}

	void mark(String id, Status status, Instant now) {
		this.jdbc.sql("update action_execution set status = ?, updated_at = ? where id = ?")
			.params(status.name(), ts(now), id)
			.update();
	}

	private static Execution map(ResultSet rs, int row) throws SQLException {
		return new Execution(rs.getString("id"), rs.getString("response_id"), rs.getString("purpose"),
				StagedAction.fromJson(rs.getString("action_json")), rs.getString("connector"),
				Status.valueOf(rs.getString("status")), rs.getString("approval_request_id"),
				rs.getString("receipt_token"));
	}

	private static Timestamp ts(Instant instant) {
		return Timestamp.from(instant);
	}

}
