package io.countersign.gate;

import java.time.Duration;

/** The matched rule's outputs, validated: the gate never runs on a half-filled rule. */
record PolicyDecision(String rule, String approverGroup, int requiredApprovals, Duration escalateAfter,
		String escalationGroup, Duration expireAfter) {
}
