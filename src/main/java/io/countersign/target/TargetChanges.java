package io.countersign.target;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The journal of changes connectors make on real systems, keyed by idempotency key. The protocol every connector of
 * a real system follows:
 * <ol>
 * <li>{@link #find} the key: {@code APPLIED} means a retry of a committed apply, change nothing;</li>
 * <li>{@code PENDING} means an earlier attempt may have changed the system and then died: reconcile (read the system;
 * if it already shows the change, {@link #applied} and stop);</li>
 * <li>otherwise read the before-state, {@link #pending} (committed at once, in a transaction of its own), change the
 * system, then {@link #applied} in the caller's transaction, with the receipt spent in that same transaction;</li>
 * <li>undo: {@link #undo} flips {@code APPLIED} to {@code UNDONE} exactly once; only the caller that flipped it
 * restores the before-state, after checking the system still shows this change's after-state.</li>
 * </ol>
 */
@Repository
public class TargetChanges {

	public enum Status {
		PENDING, APPLIED, UNDONE
	}

	public record Change(String idempotencyKey, String target, String actionType, String subject, String beforeState,
			String afterState, Status status) {
	}

	private final JdbcClient jdbc;

	private final Clock clock;

	private final TransactionTemplate ownTransaction;

	TargetChanges(JdbcClient jdbc, Clock clock, PlatformTransactionManager transactionManager) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	public Optional<Change> find(String idempotencyKey) {
		return this.jdbc
			.sql("select idempotency_key, target, action_type, subject, before_state, after_state, status "
					+ "from target_change where idempotency_key = ?")
			.param(idempotencyKey)
			.query((rs, row) -> new Change(rs.getString("idempotency_key"), rs.getString("target"),
					rs.getString("action_type"), rs.getString("subject"), rs.getString("before_state"),
					rs.getString("after_state"), Status.valueOf(rs.getString("status"))))
			.optional();
	}

	/** Commits at once, whatever happens to the caller's transaction: the system is about to be touched. */
	public void pending(String idempotencyKey, String target, String actionType, String subject, String beforeState) {
		this.ownTransaction.executeWithoutResult(status -> {
			Timestamp now = Timestamp.from(this.clock.instant());
			this.jdbc.sql("insert into target_change (idempotency_key, target, action_type, subject, before_state, "
					+ "status, created_at, updated_at) values (?, ?, ?, ?, ?, 'PENDING', ?, ?)")
				.params(idempotencyKey, target, actionType, subject, beforeState, now, now)
				.update();
		});
	}

	/** In the caller's transaction, with the receipt's use. */
	public void applied(String idempotencyKey, String afterState) {
		int updated = this.jdbc.sql("update target_change set status = 'APPLIED', after_state = ?, updated_at = ? "
				+ "where idempotency_key = ? and status = 'PENDING'")
			.params(afterState, Timestamp.from(this.clock.instant()), idempotencyKey)
			.update();
		if (updated != 1) {
			throw new IllegalStateException("target change " + idempotencyKey + " is not pending");
		}
	}

	/** @return true for the one caller that moved the change from APPLIED to UNDONE */
	public boolean undo(String idempotencyKey) {
		return this.jdbc.sql("update target_change set status = 'UNDONE', updated_at = ? "
				+ "where idempotency_key = ? and status = 'APPLIED'")
			.params(Timestamp.from(this.clock.instant()), idempotencyKey)
			.update() == 1;
	}

	/** An attempt that never reached the system (reconciled as not changed): the next attempt starts afresh. */
	public void abandon(String idempotencyKey) {
		this.ownTransaction.executeWithoutResult(status -> this.jdbc
			.sql("delete from target_change where idempotency_key = ? and status = 'PENDING'")
			.param(idempotencyKey)
			.update());
	}

}
