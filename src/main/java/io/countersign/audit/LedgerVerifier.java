package io.countersign.audit;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Verifies the ledger as an auditor needs it: the chain, then the chain against signed checkpoints (the one handed
 * in and the newest stored ones), then the approval tables against the row hashes their entries recorded. A chain
 * that is intact on its own can still have been cut back or re-hashed by someone with SQL; only a checkpoint,
 * signed with a key the database does not hold, tells.
 */
@Service
class LedgerVerifier implements SmartInitializingSingleton {

	/** The entry that marks where row coverage starts; rows before it carry no row hash. */
	static final String COVERAGE_STARTED = "ROW_COVERAGE_STARTED";

	/** Stored checkpoints checked by a plain verify, newest first: each costs a signature check. */
	static final int STORED_CHECKPOINTS_CHECKED = 100;

	private static final Logger log = LoggerFactory.getLogger(LedgerVerifier.class);


	private static final int PAGE = 1000;

	private final Ledger ledger;

	private final Checkpoints checkpoints;

	private final JdbcClient jdbc;

	LedgerVerifier(Ledger ledger, Checkpoints checkpoints, JdbcClient jdbc) {
		this.ledger = ledger;
		this.checkpoints = checkpoints;
		this.jdbc = jdbc;
	}

	/** Records, once per database, from which decision row on the approval tables are covered. */
	@Override
	public void afterSingletonsInstantiated() {
		long started = this.jdbc.sql("select count(*) from ledger_entry where type = ?")
			.param(COVERAGE_STARTED)
			.query(Long.class)
			.single();
		if (started > 0) {
			return;
		}
		long upTo = this.jdbc.sql("select coalesce(max(id), 0) from approval_decision").query(Long.class).single();
		this.ledger.append(null, COVERAGE_STARTED, null, "From here on every approval request and decision row is "
				+ "covered by the hash of the entry that records it; rows already there are not",
				Map.of("decisionRowsUpTo", upTo));
		log.info("Ledger row coverage starts after approval_decision row {}", upTo);
	}

	/**
	 * @param external a checkpoint the caller kept outside the database, or null
	 */
	LedgerVerification verify(Checkpoint external) {
		LedgerVerification result = verifyOnce(external);
		if (!result.ok() && RowCheck.REASONS.contains(result.firstBroken().reason())) {
			// A row committed after the chain was read has its entry past what was read: read again once.
			result = verifyOnce(external);
		}
		return result;
	}

	private LedgerVerification verifyOnce(Checkpoint external) {
		Map<Long, Checkpoint> expected = new TreeMap<>();
		LedgerVerification.Broken invalid = null;
		List<Checkpoint> stored = this.jdbc
			.sql("select seq, head_hash, at, kid, jws from ledger_checkpoint order by seq desc limit ?")
			.param(STORED_CHECKPOINTS_CHECKED)
			.query((rs, n) -> new Checkpoint(rs.getLong("seq"), rs.getString("head_hash"), null, rs.getString("kid"),
					rs.getString("jws")))
			.list();
		for (Checkpoint row : stored) {
			if (!this.checkpoints.key().kid().equals(row.kid())) {
				// Signed before the key secret changed: not checkable with this key, and no break.
				continue;
			}
			try {
				Checkpoint parsed = this.checkpoints.parse(row.jws());
				if (parsed.seq() != row.seq() || !parsed.headHash().equals(row.headHash())) {
					throw new Checkpoints.InvalidCheckpointException("its columns differ from its signed payload");
				}
				expected.put(parsed.seq(), parsed);
			}
			catch (Checkpoints.InvalidCheckpointException ex) {
				invalid = invalid != null ? invalid : new LedgerVerification.Broken(row.seq(),
						LedgerVerification.Reason.CHECKPOINT_INVALID,
						"stored checkpoint " + row.seq() + " is not one this installation signed: " + ex.getMessage());
			}
		}
		if (external != null) {
			expected.put(external.seq(), external);
		}
		Claims claims = new Claims(expected);
		LedgerVerification chain = this.ledger.verify(claims::visit);
		Checkpoint newest = external != null ? external
				: expected.values().stream().reduce((a, b) -> b).orElse(null);
		LedgerVerification result = chain.withCheckpoints(newest, expected.size());
		if (!chain.ok()) {
			return result;
		}
		if (claims.mismatch != null) {
			return result.broken(claims.mismatch);
		}
		long last = chain.head() == null ? 0 : chain.head().seq();
		Optional<Checkpoint> beyond = expected.values().stream().filter(c -> c.seq() > last).findFirst();
		if (beyond.isPresent()) {
			return result.broken(new LedgerVerification.Broken(last + 1,
					LedgerVerification.Reason.CHECKPOINT_BEYOND_HEAD,
					"checkpoint " + beyond.get().seq() + " signed at " + beyond.get().at() + " vouches for entry "
							+ beyond.get().seq() + ", but the ledger ends at " + last
							+ ": entries were removed from the end"));
		}
		if (invalid != null) {
			return result.broken(invalid);
		}
		LedgerVerification.Broken unsealed = checkMacs(claims.coverageStartedSeq == null ? 1 : claims.coverageStartedSeq,
				last);
		if (unsealed != null) {
			return result.broken(unsealed);
		}
		RowCheck rows = new RowCheck(this.jdbc, claims);
		LedgerVerification.Broken broken = rows.run();
		result = result.withCoverage(rows.coverage());
		return broken == null ? result : result.broken(broken);
	}

	/**
	 * Every entry from the start of coverage on must carry the MAC of its hash: the chain alone lets anyone with SQL
	 * append well-formed entries after the last checkpoint, such as a DECIDED entry for an approval row they inserted.
	 */
	private LedgerVerification.Broken checkMacs(long from, long to) {
		long after = from - 1;
		while (after < to) {
			List<Map.Entry<Long, Boolean>> page = this.jdbc
				.sql("select seq, hash, mac from ledger_entry where seq > ? and seq <= ? order by seq limit ?")
				.params(after, to, PAGE)
				.query((rs, n) -> Map.entry(rs.getLong("seq"),
						this.checkpoints.key().mac(rs.getString("hash")).equals(rs.getString("mac"))))
				.list();
			if (page.isEmpty()) {
				return null;
			}
			for (Map.Entry<Long, Boolean> sealed : page) {
				if (!sealed.getValue()) {
					return new LedgerVerification.Broken(sealed.getKey(), LedgerVerification.Reason.MAC_MISMATCH,
							"entry " + sealed.getKey() + " carries no valid MAC under the ledger key: it was written "
									+ "or rewritten by someone without the key secret");
				}
				after = sealed.getKey();
			}
		}
		return null;
	}

	/** What the chain says about checkpoints and approval rows, gathered while it is read. */
	static final class Claims {

		final Map<Long, Checkpoint> checkpoints;

		final Map<Long, Claim> decisions = new HashMap<>();

		final Map<String, Claim> requests = new HashMap<>();

		LedgerVerification.Broken mismatch;

		/** Null until the ROW_COVERAGE_STARTED entry is read: then no row is exempt. */
		Long decisionsUpTo;

		Instant coverageStartedAt;

		Long coverageStartedSeq;

		Claims(Map<Long, Checkpoint> checkpoints) {
			this.checkpoints = checkpoints;
		}

		void visit(LedgerEntry entry) {
			Checkpoint checkpoint = this.checkpoints.get(entry.seq());
			if (checkpoint != null && this.mismatch == null && !checkpoint.headHash().equals(entry.hash())) {
				this.mismatch = new LedgerVerification.Broken(entry.seq(),
						LedgerVerification.Reason.CHECKPOINT_MISMATCH,
						"checkpoint signed at " + checkpoint.at() + " vouches for entry " + entry.seq() + " with hash "
								+ checkpoint.headHash() + ", but it has " + entry.hash()
								+ " now: this entry or one before it was rewritten and the chain re-hashed");
			}
			if (COVERAGE_STARTED.equals(entry.type()) && this.decisionsUpTo == null) {
				this.decisionsUpTo = entry.data() == null ? 0 : entry.data().path("decisionRowsUpTo").asLong(0);
				this.coverageStartedAt = entry.at();
				this.coverageStartedSeq = entry.seq();
			}
			JsonNode data = entry.data();
			if (data == null) {
				return;
			}
			if (data.path(CoveredRows.REQUEST_HASH).isTextual()) {
				this.requests.put(data.path(CoveredRows.REQUEST).asText(),
						new Claim(entry.seq(), data.path(CoveredRows.REQUEST_HASH).asText()));
			}
			if (data.path(CoveredRows.DECISION_HASH).isTextual()) {
				long row = data.path(CoveredRows.DECISION_ID).asLong();
				Claim earlier = this.decisions.put(row,
						new Claim(entry.seq(), data.path(CoveredRows.DECISION_HASH).asText()));
				// Decision rows are only ever inserted: one entry records each, and a second one is forged.
				if (earlier != null && this.mismatch == null) {
					this.mismatch = new LedgerVerification.Broken(entry.seq(),
							LedgerVerification.Reason.DECISION_ALTERED, "entry " + entry.seq()
									+ " records approval_decision row " + row + ", which entry " + earlier.seq()
									+ " recorded already");
				}
			}
		}

	}

	/** The latest entry that recorded a row, and the row hash it recorded. */
	record Claim(long seq, String hash) {
	}

}
