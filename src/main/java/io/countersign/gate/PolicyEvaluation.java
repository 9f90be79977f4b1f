package io.countersign.gate;

/**
 * The policy's answer: a decision, or the reason the action is denied. {@code policyVersion} names the deployed
 * decision that answered ({@code approval-policy:3}), or is {@code null} when none is deployed.
 */
record PolicyEvaluation(PolicyDecision decision, String deniedReason, String policyVersion) {

	static PolicyEvaluation denied(String reason, String policyVersion) {
		return new PolicyEvaluation(null, reason, policyVersion);
	}

	boolean isDenied() {
		return this.decision == null;
	}

}
