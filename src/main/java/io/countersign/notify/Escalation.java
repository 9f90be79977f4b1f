package io.countersign.notify;

import java.time.Instant;
import java.util.Objects;

/**
 * An approval that was not decided in time and now also waits on {@code escalationGroup}.
 *
 * @param responseId the response (process business key) the approval belongs to
 * @param taskId the open approval task the escalation group was added to
 * @param taskName the task's name as Tasklist shows it
 * @param summary what the response is about, as the integrator reported it
 * @param identity the non-human identity the action is on
 * @param actionType the staged action's type
 * @param actionFingerprint the fingerprint of the staged action the approvers approve
 * @param escalationGroup the Camunda group that was added as candidates
 * @param approvalsNeeded approvals still missing
 * @param expiresAt when the approval expires and the action is denied, or {@code null} if unknown
 */
public record Escalation(String responseId, String taskId, String taskName, String summary, String identity,
		String actionType, String actionFingerprint, String escalationGroup, int approvalsNeeded, Instant expiresAt) {

	public Escalation {
		Objects.requireNonNull(responseId, "responseId");
		Objects.requireNonNull(taskId, "taskId");
		Objects.requireNonNull(escalationGroup, "escalationGroup");
	}

}
