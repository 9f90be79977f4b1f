/**
 * Playbook {@code federated-credential-disable}: a partner is compromised. Risk: cutting the trust stops whatever
 * the partner does for us, so the approver must confirm a fallback path, recorded with the decision; rollback
 * re-enables what was disabled.
 */
package io.countersign.playbook.federation;
