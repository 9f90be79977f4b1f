package io.countersign.gate;

/** Keys and element ids of {@code bpmn/approval-gate.bpmn}, shared by code and tests. */
public final class ApprovalGateProcess {

	public static final String PROCESS_KEY = "approval-gate";

	public static final String TASK_APPROVE = "Task_Approve";

	public static final String TASK_ESCALATE = "Task_EscalateApproval";

	public static final String TASK_ISSUE_RECEIPT = "Task_IssueReceipt";

	public static final String BOUNDARY_ESCALATION = "BoundaryEvent_ApprovalEscalation";

	public static final String BOUNDARY_EXPIRED = "BoundaryEvent_ApprovalExpired";

	public static final String END_APPROVED = "EndEvent_GateApproved";

	public static final String END_REJECTED = "EndEvent_GateRejected";

	public static final String END_EXPIRED = "EndEvent_GateExpired";

	/** Thrown by the policy step when no rule allows the action; every playbook models a boundary for it. */
	public static final String ERROR_POLICY_DENIED = "POLICY_DENIED";

	private ApprovalGateProcess() {
	}

}
