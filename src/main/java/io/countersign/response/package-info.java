/**
 * Responses: one detection handled by one playbook, from the integrator's request to its
 * outcome. The {@code response} table is the source of truth for status, staged action and
 * decisions, the decision ledger ({@code io.countersign.audit}) for the timeline; the process
 * instance (business key = response id) drives it.
 */
package io.countersign.response;
