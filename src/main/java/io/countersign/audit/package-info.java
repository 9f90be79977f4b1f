/**
 * The decision ledger: every state change of every response, appended to one hash-chained sequence that auditors
 * export and verify. Each entry holds the previous entry's hash, so editing, removing or reordering entries breaks
 * the chain where it happened. Its tables have no foreign keys: the ledger outlives process-history cleanup and the
 * responses it describes.
 *
 * <p>Against an operator with SQL, who can re-hash the whole chain: entries about approval requests and decisions
 * carry the hash of those rows ({@link io.countersign.audit.CoveredRows}), and signed checkpoints of the head
 * ({@link io.countersign.audit.Checkpoints}), made with a key derived from a secret the database does not hold and
 * written to a file outside it, let {@code /api/v1/audit/verify} and the offline {@link io.countersign.audit.VerifyLedger}
 * tell a rewritten or shortened chain from the one that was signed.
 */
package io.countersign.audit;
