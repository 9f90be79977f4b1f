/**
 * Approval receipts: when a quorum approves an action, the gate issues a short-lived, signed receipt naming the
 * subject, the action's fingerprint, the approvers and the rule; whatever applies the action verifies it and spends it
 * once, in the transaction that applies the action. Keys (ES256) live in the database, shared by every node, rotate
 * on a schedule and are published at {@code /.well-known/jwks.json} for verifiers elsewhere.
 */
package io.countersign.receipt;
