package io.countersign.playbook.secretrotation;

/** Keys and element ids of {@code bpmn/secret-rotation.bpmn}, shared by code and tests. */
public final class SecretRotationProcess {

	public static final String PROCESS_KEY = "secret-rotation";

	public static final String ACTION_TYPE = "credential.rotate";

	public static final String TASK_STAGE = "Task_StageRotation";

	public static final String TASK_EVALUATE_POLICY = "Task_EvaluatePolicy";

	public static final String CALL_APPROVAL_GATE = "CallActivity_ApprovalGate";

	public static final String TASK_APPLY = "Task_ApplyRotation";

	public static final String TASK_VERIFY = "Task_VerifyRotation";

	public static final String TASK_RESTORE = "Task_RestorePreviousVersion";

	public static final String END_COMPLETED = "EndEvent_RotationCompleted";

	public static final String END_REJECTED = "EndEvent_RotationRejected";

	public static final String END_EXPIRED = "EndEvent_ApprovalExpired";

	public static final String END_DENIED = "EndEvent_PolicyDenied";

	public static final String END_BLOCKED = "EndEvent_ExecutionBlocked";

	public static final String END_ROLLED_BACK = "EndEvent_RotationRolledBack";

	/** A business failure of apply or verify: caught by the model and rolled back. */
	public static final String ERROR_APPLY_FAILED = "APPLY_FAILED";

	/** The execution guard or the connector refused (action changed, no quorum, receipt refused): nothing was applied. */
	public static final String ERROR_EXECUTION_BLOCKED = "EXECUTION_BLOCKED";

	private SecretRotationProcess() {
	}

}
