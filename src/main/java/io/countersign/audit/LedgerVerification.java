package io.countersign.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The result of recomputing the whole chain, and, through {@code /api/v1/audit/verify}, of checking it against
 * signed checkpoints and the approval tables.
 *
 * @param ok whether every entry and the head are intact, every checkpoint checked still matches, and every
 * approval row matches the entry that recorded it
 * @param entries how many entries were checked, the broken one included
 * @param head the head as last read, or null when its row is gone
 * @param firstBroken the first place the chain breaks, or null when ok
 * @param checkpoint the newest checkpoint checked (the one passed in, if any), or null when none was
 * @param checkpoints how many signed checkpoints were checked
 * @param coverage the approval rows checked; null when the chain alone was verified
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LedgerVerification(boolean ok, long entries, Head head, Broken firstBroken, Checkpoint checkpoint,
		long checkpoints, Coverage coverage) {

	public LedgerVerification(boolean ok, long entries, Head head, Broken firstBroken) {
		this(ok, entries, head, firstBroken, null, 0, null);
	}

	LedgerVerification broken(Broken broken) {
		return new LedgerVerification(false, this.entries, this.head, broken, this.checkpoint, this.checkpoints,
				this.coverage);
	}

	LedgerVerification withCheckpoints(Checkpoint newest, long count) {
		return new LedgerVerification(this.ok, this.entries, this.head, this.firstBroken, newest, count,
				this.coverage);
	}

	LedgerVerification withCoverage(Coverage rows) {
		return new LedgerVerification(this.ok, this.entries, this.head, this.firstBroken, this.checkpoint,
				this.checkpoints, rows);
	}

	public record Head(long seq, String hash) {
	}

	/**
	 * {@code seq} is the entry that is altered, missing or, for the head, the first one the head disagrees on; for
	 * an approval row that no entry records, 0.
	 */
	public record Broken(long seq, Reason reason, String detail) {
	}

	/**
	 * @param decisionRows approval_decision rows checked
	 * @param requestRows approval_request rows checked
	 * @param notCovered rows written before the ledger covered them (see the ROW_COVERAGE_STARTED entry): they
	 * have no row hash to check, which is not a break
	 */
	public record Coverage(long decisionRows, long requestRows, long notCovered) {
	}

	public enum Reason {

		/** The entry's fields no longer produce its hash: it was edited. */
		HASH_MISMATCH,

		/** The entry does not point at the hash of the entry before it: it was replaced or re-hashed. */
		PREV_HASH_MISMATCH,

		/** An entry is missing between two others. */
		SEQ_GAP,

		/** The head does not name the last entry: entries were removed from the end, or added past the head. */
		HEAD_MISMATCH,

		/** The entry a signed checkpoint vouches for has another hash now: it or an entry before it was rewritten. */
		CHECKPOINT_MISMATCH,

		/** An entry from ROW_COVERAGE_STARTED on lacks the MAC of its hash: it was appended or rewritten with SQL. */
		MAC_MISMATCH,

		/** A signed checkpoint names an entry past the last one: entries were removed from the end. */
		CHECKPOINT_BEYOND_HEAD,

		/** A stored checkpoint's signature does not verify with the checkpoint key: it was forged or edited. */
		CHECKPOINT_INVALID,

		/** An approval_decision row differs from the hash its entry recorded: it was edited. */
		DECISION_ALTERED,

		/** An approval_decision row that no entry records: it was inserted behind the gate's back. */
		DECISION_UNRECORDED,

		/** An entry records an approval_decision row that is gone. */
		DECISION_MISSING,

		/** An approval_request row differs from the hash its latest entry recorded: it was edited. */
		REQUEST_ALTERED,

		/** An approval_request row that no entry records. */
		REQUEST_UNRECORDED,

		/** An entry records an approval_request row that is gone. */
		REQUEST_MISSING

	}

}
