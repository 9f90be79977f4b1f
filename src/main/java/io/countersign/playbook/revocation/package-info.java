/**
 * Playbook {@code credential-revocation}: an exposed or abused API key or token. Risk: disabling it breaks every
 * consumer still using it, so the approver sees the consumers and their last use; a policy-driven rollback window
 * lets the owner or a lead ask for a restore, which needs an approval of its own.
 */
package io.countersign.playbook.revocation;
