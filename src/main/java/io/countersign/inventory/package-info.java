/**
 * The NHI inventory: identities, the workloads that consume them, their credentials and the version history of each
 * credential (fingerprints only, never material). {@link io.countersign.inventory.Inventory} is the read model and
 * takes integrators' reports; {@link io.countersign.inventory.InventoryJournal} is the change journal through which
 * the built-in {@code inventory} target's connector applies approved actions and undoes them exactly once.
 */
package io.countersign.inventory;
