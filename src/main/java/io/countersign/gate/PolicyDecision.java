package io.countersign.gate;

import java.time.Duration;

/**
 * The matched rule's outputs, validated: the gate never runs on a half-filled rule.
 *
 * @param containFirst whether the playbook may apply its reversible containment step before anyone decides
 * @param requiredGroup when set, at least one of the approvals must come from a member of this group
 * @param rollbackWindow how long an applied action may be undone on request; {@code null} for no window
 */
record PolicyDecision(String rule, String approverGroup, int requiredApprovals, Duration escalateAfter,
		String escalationGroup, Duration expireAfter, boolean containFirst, String requiredGroup,
		Duration rollbackWindow) {
}
