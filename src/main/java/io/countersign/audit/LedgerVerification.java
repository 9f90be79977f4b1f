package io.countersign.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The result of recomputing the whole chain.
 *
 * @param ok whether every entry and the head are intact
 * @param entries how many entries were checked, the broken one included
 * @param head the head as last read, or null when its row is gone
 * @param firstBroken the first place the chain breaks, or null when ok
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LedgerVerification(boolean ok, long entries, Head head, Broken firstBroken) {

	public record Head(long seq, String hash) {
	}

	/** {@code seq} is the entry that is altered, missing or, for the head, the first one the head disagrees on. */
	public record Broken(long seq, Reason reason, String detail) {
	}

	public enum Reason {

		/** The entry's fields no longer produce its hash: it was edited. */
		HASH_MISMATCH,

		/** The entry does not point at the hash of the entry before it: it was replaced or re-hashed. */
		PREV_HASH_MISMATCH,

		/** An entry is missing between two others. */
		SEQ_GAP,

		/** The head does not name the last entry: entries were removed from the end, or added past the head. */
		HEAD_MISMATCH

	}

}
