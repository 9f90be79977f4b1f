package io.countersign.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The decision ledger: one hash-chained, append-only sequence of everything that happened to every response.
 *
 * <p>All nodes append to one chain by locking the single {@code ledger_head} row. Entries appended inside a
 * transaction are buffered and written just before it commits, so the head lock is the last lock the transaction
 * takes and is held only for a few inserts: a transaction waiting for it holds no lock the holder could need, so
 * appending cannot deadlock with the engine's row locks, and a rolled-back transaction appends nothing.
 */
@Service
public class Ledger {

	static final int MAX_TYPE_LENGTH = 32;

	static final int MAX_ACTOR_LENGTH = 128;

	static final int MAX_RESPONSE_ID_LENGTH = 36;

	static final int MAX_DETAIL_LENGTH = 4000;

	static final int MAX_DATA_LENGTH = 20000;

	private static final Pattern TYPE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");

	private static final int VERIFY_PAGE_SIZE = 1000;

	private static final String COLUMNS = "seq, at, response_id, type, actor, detail, data, prev_hash, hash";

	private final JdbcClient jdbc;

	private final TransactionTemplate ownTransaction;

	private final Clock clock = Clock.systemUTC();

	private final CoveredRows rows;

	/** Seals each entry's hash with a MAC under the ledger key secret; null in tests of the bare chain. */
	private final CheckpointKey key;

	Ledger(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
		this(jdbc, transactionManager, null);
	}

	@Autowired
	Ledger(JdbcClient jdbc, PlatformTransactionManager transactionManager, CheckpointKey key) {
		this.jdbc = jdbc;
		this.key = key;
		this.rows = new CoveredRows(jdbc);
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** Appends when the current transaction commits, or right away when there is none. */
	public void append(String responseId, String type, String actor, String detail) {
		append(responseId, type, actor, detail, null);
	}

	/**
	 * Appends when the current transaction commits, or right away when there is none.
	 * @param data serialized as canonical JSON; replaced by a note saying so when longer than 20,000 characters
	 * @throws IllegalArgumentException when type is not upper snake case of at most 32 characters, or an id is too
	 * long: thrown here, to the caller, rather than failing the commit
	 */
	public void append(String responseId, String type, String actor, String detail, Map<String, ?> data) {
		Pending entry = pending(responseId, type, actor, detail, data);
		if (TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.isActualTransactionActive()) {
			PendingEntries pending = pendingEntries();
			if (pending.written) {
				// Appended from another synchronization's beforeCommit, after ours ran: still inside the transaction.
				write(List.of(entry));
			}
			else {
				pending.entries.add(entry);
			}
		}
		else {
			this.ownTransaction.executeWithoutResult(status -> write(List.of(entry)));
		}
	}

	/**
	 * Appends now in a transaction of its own, which commits even if the caller's transaction rolls back: for the
	 * record of an attempt whose effect is undone, such as a refused approval. Needs a second connection while the
	 * caller's is held.
	 */
	public void appendIndependently(String responseId, String type, String actor, String detail) {
		appendIndependently(responseId, type, actor, detail, null);
	}

	/** See {@link #appendIndependently(String, String, String, String)} and {@link #append(String, String, String, String, Map)}. */
	public void appendIndependently(String responseId, String type, String actor, String detail,
			Map<String, ?> data) {
		Pending entry = pending(responseId, type, actor, detail, data);
		this.ownTransaction.executeWithoutResult(status -> write(List.of(entry)));
	}

	/** One response's entries in chain order. Entries of uncommitted transactions, the caller's too, are not there. */
	public List<LedgerEntry> forResponse(String responseId) {
		return this.jdbc.sql("select " + COLUMNS + " from ledger_entry where response_id = ? order by seq")
			.param(responseId)
			.query(Ledger::map)
			.list();
	}

	/** Up to {@code limit} entries with a seq greater than {@code afterSeq}, in chain order. */
	public List<LedgerEntry> page(long afterSeq, int limit) {
		return this.jdbc.sql("select " + COLUMNS + " from ledger_entry where seq > ? order by seq limit ?")
			.params(afterSeq, limit)
			.query(Ledger::map)
			.list();
	}

	/** The last entry's seq and hash as the head records them; (0, genesis) while the ledger is empty. */
	public Optional<LedgerVerification.Head> head() {
		return this.jdbc.sql("select seq, hash from ledger_head where id = 1")
			.query((rs, n) -> new LedgerVerification.Head(rs.getLong("seq"), rs.getString("hash")))
			.optional();
	}

	/**
	 * Recomputes the chain from the first entry, a page at a time, and stops at the first break. Entries committed
	 * while it runs are checked too: it only compares with the head once no entry is left past the last one read.
	 */
	public LedgerVerification verify() {
		return verify(entry -> {
		});
	}

	/** As {@link #verify()}, handing each intact entry to {@code visitor} in chain order. */
	LedgerVerification verify(Consumer<LedgerEntry> visitor) {
		long checked = 0;
		long expectedSeq = 1;
		String expectedPrevHash = LedgerHashes.GENESIS;
		while (true) {
			List<LedgerEntry> entries = page(expectedSeq - 1, VERIFY_PAGE_SIZE);
			for (LedgerEntry entry : entries) {
				checked++;
				LedgerVerification.Broken broken = ChainChecks.check(entry, expectedSeq, expectedPrevHash);
				if (broken != null) {
					return new LedgerVerification(false, checked, head().orElse(null), broken);
				}
				visitor.accept(entry);
				expectedSeq++;
				expectedPrevHash = entry.hash();
			}
			if (entries.size() == VERIFY_PAGE_SIZE) {
				continue;
			}
			// Head and entries commit together, so a head read now covers at least every entry read so far.
			Optional<LedgerVerification.Head> head = head();
			long lastSeq = expectedSeq - 1;
			if (head.isPresent() && head.get().seq() > lastSeq && !page(lastSeq, 1).isEmpty()) {
				continue;
			}
			LedgerVerification.Broken broken = ChainChecks.checkHead(head, lastSeq, expectedPrevHash);
			return new LedgerVerification(broken == null, checked, head.orElse(null), broken);
		}
	}

	/** Takes the chain lock, links and inserts the entries, and moves the head. */
	private void write(List<Pending> entries) {
		if (entries.isEmpty()) {
			return;
		}
		LedgerVerification.Head head = this.jdbc.sql("select seq, hash from ledger_head where id = 1 for update")
			.query((rs, n) -> new LedgerVerification.Head(rs.getLong("seq"), rs.getString("hash")))
			.optional()
			.orElseThrow(() -> new IllegalStateException("ledger_head has no row: the ledger cannot be appended to"));
		// Row hashes are read under the head lock: a row changed by a transaction that appended before this one is
		// read as that transaction committed it, so the latest entry about a row always carries its latest hash.
		// Plain reads take no row locks, so the head lock stays the last lock taken.
		List<Pending> covered = entries.stream().map(this::cover).toList();
		long seq = head.seq();
		String prevHash = head.hash();
		for (Pending entry : covered) {
			seq++;
			String hash = LedgerHashes.hash(seq, entry.at(), entry.responseId(), entry.type(), entry.actor(),
					entry.detail(), entry.data(), prevHash);
			this.jdbc.sql("insert into ledger_entry (" + COLUMNS + ", mac) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				.params(seq, OffsetDateTime.ofInstant(entry.at(), ZoneOffset.UTC), entry.responseId(), entry.type(),
						entry.actor(), entry.detail(), entry.dataText(), prevHash, hash,
						this.key == null ? null : this.key.mac(hash))
				.update();
			prevHash = hash;
		}
		this.jdbc.sql("update ledger_head set seq = ?, hash = ? where id = 1").params(seq, prevHash).update();
	}

	private Pending pending(String responseId, String type, String actor, String detail, Map<String, ?> data) {
		if (type == null || type.length() > MAX_TYPE_LENGTH || !TYPE.matcher(type).matches()) {
			throw new IllegalArgumentException(
					"Ledger type must be upper snake case of at most " + MAX_TYPE_LENGTH + " characters: " + type);
		}
		if (responseId != null && responseId.length() > MAX_RESPONSE_ID_LENGTH) {
			throw new IllegalArgumentException("Ledger responseId is longer than " + MAX_RESPONSE_ID_LENGTH
					+ " characters: " + responseId);
		}
		if (actor != null && actor.length() > MAX_ACTOR_LENGTH) {
			throw new IllegalArgumentException(
					"Ledger actor is longer than " + MAX_ACTOR_LENGTH + " characters: " + actor);
		}
		String dataText = null;
		if (data != null) {
			dataText = CanonicalJson.write(LedgerHashes.JSON.<JsonNode>valueToTree(data));
			if (dataText.length() > MAX_DATA_LENGTH) {
				// An event must not fail the step it records; the ledger says what it left out.
				ObjectNode omitted = LedgerHashes.JSON.createObjectNode()
					.put("omitted", "data of " + dataText.length() + " characters exceeds the ledger's "
							+ MAX_DATA_LENGTH);
				dataText = CanonicalJson.write(omitted);
			}
		}
		return new Pending(LedgerHashes.truncate(this.clock.instant()), responseId, type, actor,
				truncate(detail, MAX_DETAIL_LENGTH), dataText, LedgerHashes.parseData(dataText));
	}

	private Pending cover(Pending entry) {
		JsonNode data = this.rows.cover(entry.type(), entry.actor(), entry.data());
		if (data == entry.data()) {
			return entry;
		}
		String dataText = CanonicalJson.write(data);
		return new Pending(entry.at(), entry.responseId(), entry.type(), entry.actor(), entry.detail(), dataText,
				LedgerHashes.parseData(dataText));
	}

	private PendingEntries pendingEntries() {
		// Synchronizations, unlike bound resources, are suspended with their transaction: an inner REQUIRES_NEW
		// transaction gets a buffer of its own.
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			if (synchronization instanceof PendingEntries pending && pending.ledger() == this) {
				return pending;
			}
		}
		PendingEntries pending = new PendingEntries();
		TransactionSynchronizationManager.registerSynchronization(pending);
		return pending;
	}

	private static LedgerEntry map(ResultSet rs, int rowNum) throws SQLException {
		return new LedgerEntry(rs.getLong("seq"), rs.getObject("at", OffsetDateTime.class).toInstant(),
				rs.getString("response_id"), rs.getString("type"), rs.getString("actor"), rs.getString("detail"),
				LedgerHashes.parseData(rs.getString("data")), rs.getString("prev_hash"), rs.getString("hash"));
	}

	private static String truncate(String value, int max) {
		return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
	}

	private record Pending(Instant at, String responseId, String type, String actor, String detail, String dataText,
			JsonNode data) {
	}

	/** The entries of one transaction, written in its beforeCommit. */
	private final class PendingEntries implements TransactionSynchronization {

		private final List<Pending> entries = new ArrayList<>();

		private boolean written;

		Ledger ledger() {
			return Ledger.this;
		}

		/** Last among synchronizations, so the head lock stays the transaction's last lock. */
		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

		@Override
		public void beforeCommit(boolean readOnly) {
			this.written = true;
			write(this.entries);
		}

	}

}
