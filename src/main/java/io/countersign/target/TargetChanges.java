package io.countersign.target;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;

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

	/** A state a connector journalled with {@link #writeState}: a JSON object. */
	public static ObjectNode readState(ObjectMapper json, String target, String text) {
		try {
			return (ObjectNode) json.readTree(text);
		}
		catch (JsonProcessingException | ClassCastException ex) {
			throw new IllegalStateException("a target_change row of target '" + target + "' is not a JSON object", ex);
		}
	}

	/** The text of a state to journal as {@code before_state} or {@code after_state}. */
	public static String writeState(ObjectMapper json, JsonNode state) {
		try {
			return json.writeValueAsString(state);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** What a change is about, as the journal names it: the credential of an action on one, else the identity. */
	public static String subject(StagedAction action) {
		String subject = action
			.textParameter(ActionTypes.ON_CREDENTIAL.contains(action.type()) ? "credential" : "identity");
		return subject.length() > 256 ? subject.substring(0, 256) : subject;
	}

	/** {@link #pending(String, String, String, String, String)} for a connector call on {@code target}. */
	public void pending(ConnectorCall call, String target, String beforeState) {
		pending(call.idempotencyKey(), target, call.action().type(), subject(call.action()), beforeState);
	}

	/** @throws ConnectorException when the call's idempotency key was journalled for another action */
	public void requireSameAction(Change change, ConnectorCall call, String target) {
		if (!change.target().equals(target) || !change.actionType().equals(call.action().type())
				|| !change.subject().equals(subject(call.action()))) {
			throw new ConnectorException("idempotency key '" + call.idempotencyKey() + "' was used for "
					+ change.actionType() + " of '" + change.subject() + "' on target '" + change.target()
					+ "', not for this action");
		}
	}

	/**
	 * The undo half of the protocol: nothing journalled (or undone already) does nothing; an apply that never completed
	 * is refused until it is reconciled; otherwise, under {@code savepoint}, the one caller that flips APPLIED to
	 * UNDONE restores the before-state, unless {@code changedSince} finds the system no longer showing what the change
	 * left, which refuses the undo and keeps the change APPLIED.
	 * @param restore writes the before-state back to the system
	 */
	public void undoOnce(ConnectorCall call, String target, TransactionTemplate savepoint,
			Function<Change, List<String>> changedSince, Consumer<Change> restore) {
		Optional<Change> journalled = find(call.idempotencyKey());
		if (journalled.isEmpty() || journalled.get().status() == Status.UNDONE) {
			return;
		}
		Change change = journalled.get();
		requireSameAction(change, call, target);
		if (change.status() == Status.PENDING) {
			throw new ConnectorException("the apply under idempotency key '" + call.idempotencyKey() + "' on target '"
					+ target + "' never completed; apply again with that key to reconcile it before undoing");
		}
		savepoint.executeWithoutResult(status -> {
			if (!undo(call.idempotencyKey())) {
				return;
			}
			List<String> wrong = changedSince.apply(change);
			if (!wrong.isEmpty()) {
				throw new ConnectorException("target '" + target + "' changed since " + call.action().type()
						+ " was applied, so it is not undone: " + String.join("; ", wrong));
			}
			restore.accept(change);
		});
	}

}
