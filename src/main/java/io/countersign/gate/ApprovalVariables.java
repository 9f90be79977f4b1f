package io.countersign.gate;

/** What an approver submits when completing an approval task. */
public final class ApprovalVariables {

	/** {@code APPROVE} or {@code REJECT}. */
	public static final String DECISION = "decision";

	public static final String REASON = "reason";

	/** The fingerprint of the staged action the approver saw and approves. */
	public static final String APPROVED_FINGERPRINT = "approvedFingerprint";

	/** Written by the gate: who decided. */
	public static final String APPROVER = "approver";

	public static final String APPROVE = "APPROVE";

	public static final String REJECT = "REJECT";

	public static final int MAX_REASON_LENGTH = 2000;

	private ApprovalVariables() {
	}

}
