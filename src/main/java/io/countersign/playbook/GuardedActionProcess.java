package io.countersign.playbook;

/** Keys, element ids and variables of {@code bpmn/guarded-action.bpmn}, shared by code, diagrams and tests. */
public final class GuardedActionProcess {

	public static final String PROCESS_KEY = "guarded-action";

	/** Input: which staged action of the response this call is about ({@code apply}, {@code restore}, ...). */
	public static final String PURPOSE = "actionPurpose";

	/** Output: {@code APPLIED}, {@code DENIED}, {@code BLOCKED}, {@code ROLLED_BACK}, or the gate's outcome. */
	public static final String OUTCOME = "actionOutcome";

	/** For the approval form: what containment is in place while the decision is pending. */
	public static final String CONTAINMENT = "containmentStatus";

	public static final String TASK_EVALUATE_POLICY = "Task_EvaluatePolicy";

	public static final String TASK_CONTAIN = "Task_ContainBeforeDecision";

	public static final String CALL_APPROVAL_GATE = "CallActivity_ApprovalGate";

	public static final String TASK_RELEASE_CONTAINMENT = "Task_ReleaseContainment";

	public static final String TASK_APPLY = "Task_ApplyAction";

	public static final String TASK_VERIFY = "Task_VerifyAction";

	public static final String TASK_ROLLBACK = "Task_RollBackAction";

	public static final String ERROR_APPLY_FAILED = "APPLY_FAILED";

	public static final String ERROR_EXECUTION_BLOCKED = "EXECUTION_BLOCKED";

	/** Thrown by a playbook's staging step when the target cannot take the action; modelled by each playbook. */
	public static final String ERROR_STAGE_REFUSED = "STAGE_REFUSED";

	private GuardedActionProcess() {
	}

}
