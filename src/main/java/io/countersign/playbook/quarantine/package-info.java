/**
 * Playbook {@code identity-quarantine}: a non-human identity behaves suspiciously. Risk: quarantining on weak
 * evidence breaks its workloads, so the analyst may keep monitoring for a period instead, or dismiss; a quarantine
 * is released only with a security lead's approval.
 */
package io.countersign.playbook.quarantine;
