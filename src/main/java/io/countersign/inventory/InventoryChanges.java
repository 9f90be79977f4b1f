package io.countersign.inventory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The journal of applied inventory changes ({@code inventory_change}): idempotency on apply, exactly-once undo. */
@Repository
class InventoryChanges {

	static final int MAX_BEFORE_STATE_LENGTH = 8000;

	private static final ObjectMapper JSON = JsonMapper.builder()
		.serializationInclusion(JsonInclude.Include.NON_EMPTY)
		.build();

	private final JdbcClient jdbc;

	InventoryChanges(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<InventoryChange> find(String idempotencyKey) {
		return this.jdbc
			.sql("""
					select idempotency_key, action_type, target, response_id, action_fingerprint
					from inventory_change where idempotency_key = ?""")
			.param(idempotencyKey)
			.query((rs, n) -> new InventoryChange(rs.getString("idempotency_key"), rs.getString("action_type"),
					rs.getString("target"), rs.getString("response_id"), rs.getString("action_fingerprint")))
			.optional();
	}

	/**
	 * True when this very change was applied before. A key recorded for another action is a caller's bug: reporting
	 * success for it would claim an action that never ran.
	 * @throws InventoryConflictException when the key was recorded for another action
	 */
	boolean recorded(InventoryChange change) {
		Optional<InventoryChange> recorded = find(change.idempotencyKey());
		if (recorded.isPresent() && !recorded.get().equals(change)) {
			throw new InventoryConflictException("idempotency key '" + change.idempotencyKey() + "' was used for "
					+ recorded.get().actionType() + " on '" + recorded.get().target() + "'");
		}
		return recorded.isPresent();
	}

	/**
	 * The before-state as it will be stored. Called before anything changes, so a change too large to undo is refused
	 * rather than applied without a way back.
	 * @throws InventoryConflictException when it does not fit the journal
	 */
	String json(BeforeState before) {
		String json;
		try {
			json = JSON.writeValueAsString(before);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A before-state of plain strings always serialises", ex);
		}
		if (json.length() > MAX_BEFORE_STATE_LENGTH) {
			throw new InventoryConflictException("the change is too large to record for undo (" + json.length()
					+ " characters of before-state, at most " + MAX_BEFORE_STATE_LENGTH + ")");
		}
		return json;
	}

	void record(InventoryChange change, String beforeState, Instant now) {
		this.jdbc.sql("""
				insert into inventory_change
				(idempotency_key, action_type, target, response_id, action_fingerprint, before_state, applied_at)
				values (?, ?, ?, ?, ?, ?, ?)""")
			.params(change.idempotencyKey(), change.actionType(), change.target(), change.responseId(),
					change.actionFingerprint(), beforeState, Timestamp.from(now))
			.update();
	}

	/** The before-state of a change applied under the key and not undone yet. */
	Optional<BeforeState> toUndo(String idempotencyKey) {
		return this.jdbc
			.sql("select before_state from inventory_change where idempotency_key = ? and rolled_back_at is null")
			.param(idempotencyKey)
			.query(String.class)
			.optional()
			.map(InventoryChanges::read);
	}

	/** @return false when someone else undid it first: the conditional update is what makes undo happen once */
	boolean markUndone(String idempotencyKey, Instant now) {
		return this.jdbc
			.sql("update inventory_change set rolled_back_at = ? where idempotency_key = ? and rolled_back_at is null")
			.params(Timestamp.from(now), idempotencyKey)
			.update() == 1;
	}

	private static BeforeState read(String json) {
		try {
			return JSON.readValue(json, BeforeState.class);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("inventory_change.before_state is not what this version writes", ex);
		}
	}

}
