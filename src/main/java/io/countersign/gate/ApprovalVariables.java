package io.countersign.gate;

/**
 * Process variables of the approval gate. The approver submits the first three; the gate writes the rest for the
 * diagram's routing and the form's display. None of them is trusted for enforcement.
 */
public final class ApprovalVariables {

	/** {@code APPROVE} or {@code REJECT}. */
	public static final String DECISION = "decision";

	public static final String REASON = "reason";

	/** The fingerprint of the staged action the approver saw and approves. */
	public static final String APPROVED_FINGERPRINT = "approvedFingerprint";

	/** Optional input of the policy step: what the approval is for, {@code apply} unless set. */
	public static final String PURPOSE = "approvalPurpose";

	/** Optional input of the policy step: the Camunda Form the approval task shows. */
	public static final String FORM_REF = "approvalFormRef";

	public static final String REQUEST_ID = "approvalRequestId";

	public static final String TASK_NAME = "approvalTaskName";

	public static final String CANDIDATE_GROUPS = "candidateGroups";

	public static final String POLICY_RULE = "policyRule";

	public static final String POLICY_VERSION = "policyVersion";

	public static final String ESCALATE_AFTER = "escalateAfter";

	public static final String EXPIRE_AFTER = "expireAfter";

	/** {@code OPEN}, {@code APPROVED} or {@code REJECTED}: routes the gate's loop. */
	public static final String STATE = "approvalState";

	public static final String STILL_NEEDED = "approvalsStillNeeded";

	/** For the form: for example "1 of 2 approval(s) (bob)". */
	public static final String PROGRESS = "approvalProgress";

	/**
	 * The gate's result for the calling playbook: {@code APPROVED}, {@code REJECTED}, {@code EXPIRED}, and where the
	 * playbook allows it {@code REVISED} (narrowed) or {@code DEFERRED}.
	 */
	public static final String GATE_OUTCOME = "gateOutcome";

	/** Optional input of the policy step: see {@link ApprovalOptions}. */
	public static final String OPTIONS = "approvalOptions";

	/** Submitted with {@code NARROW}: the narrowed values, comma-separated. Output of the gate when narrowed. */
	public static final String NARROWED_TO = "narrowedTo";

	/** Submitted with {@code DEFER}: an ISO-8601 period. Output of the gate when deferred. */
	public static final String MONITOR_FOR = "monitorFor";

	/** Written by the policy step: whether the policy lets the playbook contain before the decision. */
	public static final String CONTAIN_FIRST = "containFirst";

	/** Written by the policy step: how long an applied action may be undone on request, or absent. */
	public static final String ROLLBACK_WINDOW = "rollbackWindow";

	public static final String APPROVE = "APPROVE";

	public static final String NARROW = "NARROW";

	public static final String DEFER = "DEFER";

	/** Bounds of {@code monitorFor}: long enough to learn something, short enough that someone still remembers. */
	public static final java.time.Duration MIN_MONITOR = java.time.Duration.ofMinutes(5);

	public static final java.time.Duration MAX_MONITOR = java.time.Duration.ofDays(30);

	public static final int MAX_CONFIRMATION_LENGTH = 1000;

	public static final String REJECT = "REJECT";

	public static final String DEFAULT_FORM = "Form_ApprovalGate";

	public static final int MAX_REASON_LENGTH = 2000;

	private ApprovalVariables() {
	}

}
