package io.countersign.gate;

/**
 * The policy's answer: a decision, or the reason the action is denied. {@code policyVersion} is the id of the decision
 * definition that answered ({@code approval-policy:3:<uuid>}: key, version and which deployment's), or {@code null}
 * when there was none to ask.
 */
record PolicyEvaluation(PolicyDecision decision, String deniedReason, String policyVersion) {

	static PolicyEvaluation denied(String reason, String policyVersion) {
		return new PolicyEvaluation(null, reason, policyVersion);
	}

	boolean isDenied() {
		return this.decision == null;
	}

}
