/**
 * The NHI inventory: identities, the workloads that consume them, their credentials and the
 * version history of each credential. It is the embedded default target of actions, so a
 * rotation approved in Tasklist really changes a row here, and a rollback really restores it.
 */
package io.countersign.inventory;
