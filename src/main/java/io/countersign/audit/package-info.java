/**
 * The decision ledger: every state change of every response, appended to one hash-chained sequence that auditors
 * export and verify. Each entry holds the previous entry's hash, so editing, removing or reordering entries breaks
 * the chain where it happened. Its tables have no foreign keys: the ledger outlives process-history cleanup and the
 * responses it describes.
 */
package io.countersign.audit;
