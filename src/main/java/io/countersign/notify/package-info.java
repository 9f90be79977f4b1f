/**
 * Tells people about approvals that need them. When the gate escalates an approval it calls
 * {@link io.countersign.notify.Notifications#escalated}; every {@link io.countersign.notify.EscalationNotifier} bean
 * then gets the escalation and a Tasklist link to the task.
 *
 * <p>Notifications go out only after the engine's transaction commits, so an escalation that rolls back (and will be
 * retried by the job executor) tells no one, and on a worker thread, so a slow mail server never holds a job thread
 * or a database connection. A notification is best effort: a failing channel is logged and never fails the process.
 */
package io.countersign.notify;
