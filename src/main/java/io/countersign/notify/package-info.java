/**
 * Tells people about approvals that need them, where they work. The gate's and the agent review's task listeners call
 * {@link io.countersign.notify.Notifications#taskCreated} for every new approval task; the candidate groups then get
 * the task's {@link io.countersign.gate.ApprovalCard} (summary, risk line, deadline) and a Tasklist deep link by
 * e-mail and in their Slack and Teams channels. Escalations go to every
 * {@link io.countersign.notify.EscalationNotifier} and the escalation group's channels; a response's outcome goes to
 * its requesters' channels. Links come from {@link io.countersign.notify.PublicUrl}.
 *
 * <p>Messages carry a link, never a decision: approving happens in Tasklist or the API, where the approver is
 * authenticated and the gate's rules apply. Notifications go out only after the engine's transaction commits, so a
 * step that rolls back (and will be retried by the job executor) tells no one, and on worker threads, retried with
 * backoff within fixed limits, so a slow chat or mail server never holds a job thread or a database connection. A
 * notification is best effort: a message that cannot be delivered is counted and logged and never fails the process.
 */
package io.countersign.notify;
