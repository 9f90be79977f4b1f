package io.countersign.audit;

import java.util.Optional;

/** The checks of one link of the chain and of its head, as {@link Ledger#verify()} applies them. */
final class ChainChecks {

	private ChainChecks() {
	}

	static LedgerVerification.Broken check(LedgerEntry entry, long expectedSeq, String expectedPrevHash) {
		if (entry.seq() != expectedSeq) {
			return new LedgerVerification.Broken(expectedSeq, LedgerVerification.Reason.SEQ_GAP,
					"entry " + expectedSeq + " is missing; the next entry is " + entry.seq());
		}
		if (!expectedPrevHash.equals(entry.prevHash())) {
			return new LedgerVerification.Broken(entry.seq(), LedgerVerification.Reason.PREV_HASH_MISMATCH,
					"prevHash is " + entry.prevHash() + " but the previous entry's hash is " + expectedPrevHash);
		}
		String recomputed = entry.recomputeHash();
		if (!recomputed.equals(entry.hash())) {
			return new LedgerVerification.Broken(entry.seq(), LedgerVerification.Reason.HASH_MISMATCH,
					"stored hash is " + entry.hash() + " but the entry's fields hash to " + recomputed);
		}
		return null;
	}

	static LedgerVerification.Broken checkHead(Optional<LedgerVerification.Head> found, long lastSeq,
			String lastHash) {
		if (found.isEmpty()) {
			return new LedgerVerification.Broken(lastSeq + 1, LedgerVerification.Reason.HEAD_MISMATCH,
					"the ledger_head row is missing");
		}
		LedgerVerification.Head head = found.get();
		if (head.seq() > lastSeq) {
			return new LedgerVerification.Broken(lastSeq + 1, LedgerVerification.Reason.HEAD_MISMATCH, "the head is at "
					+ head.seq() + " but the last entry is " + lastSeq + ": entries were removed from the end");
		}
		if (head.seq() < lastSeq) {
			return new LedgerVerification.Broken(head.seq() + 1, LedgerVerification.Reason.HEAD_MISMATCH,
					"the head is at " + head.seq() + " but entries go on to " + lastSeq);
		}
		if (!head.hash().equals(lastHash)) {
			return new LedgerVerification.Broken(head.seq(), LedgerVerification.Reason.HEAD_MISMATCH,
					"the head's hash is " + head.hash() + " but the last entry's hash is " + lastHash);
		}
		return null;
	}

}
