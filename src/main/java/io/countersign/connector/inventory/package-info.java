/**
 * The built-in connector: carries out approved actions on Countersign's own NHI inventory
 * ({@code io.countersign.inventory}), so a playbook works end to end without an external system. It spends the
 * approval receipt in the transaction that changes the inventory, and records what each change overwrote so that a
 * rollback restores exactly that.
 */
package io.countersign.connector.inventory;
