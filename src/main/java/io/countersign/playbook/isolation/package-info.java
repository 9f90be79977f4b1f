/**
 * Playbook {@code workload-isolation}: isolate the workload that used a leaked secret. Risk: isolating a
 * customer-facing workload is an outage, so the responder validates that first, and a customer-facing workload needs
 * a second approver from security-leads; rollback de-isolates.
 */
package io.countersign.playbook.isolation;
