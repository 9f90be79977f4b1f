package io.countersign.playbook.secretrotation;

/** Keys and element ids of {@code bpmn/secret-rotation.bpmn}, shared by code and tests. */
public final class SecretRotationProcess {

	public static final String PROCESS_KEY = "secret-rotation";

	public static final String TASK_STAGE = "Task_StageRotation";

	/** The call of {@code guarded-action}: policy, approval gate, apply, verify and rollback. */
	public static final String CALL_GUARDED_ROTATION = "CallActivity_GuardedRotation";

	public static final String END_COMPLETED = "EndEvent_RotationCompleted";

	public static final String END_REJECTED = "EndEvent_RotationRejected";

	public static final String END_EXPIRED = "EndEvent_ApprovalExpired";

	public static final String END_DENIED = "EndEvent_PolicyDenied";

	public static final String END_BLOCKED = "EndEvent_ExecutionBlocked";

	public static final String END_ROLLED_BACK = "EndEvent_RotationRolledBack";

	/** The staging step found nothing it can rotate (credential gone, not active, moved on). */
	public static final String END_NOTHING_TO_ROTATE = "EndEvent_NothingToRotate";

	private SecretRotationProcess() {
	}

}
