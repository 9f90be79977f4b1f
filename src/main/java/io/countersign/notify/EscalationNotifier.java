package io.countersign.notify;

/**
 * A channel that tells people about escalated approvals. Every bean of this type is called for every escalation, in
 * {@link org.springframework.core.annotation.Order} order, after the escalation committed and on a notification
 * thread, never in the engine's transaction.
 *
 * <p>An implementation may throw: {@link Notifications} logs the failure and goes on with the next channel. It should
 * not retry for long, since the channels after it wait.
 */
public interface EscalationNotifier {

	/**
	 * @param escalation what was escalated, to whom
	 * @param taskUrl a link that opens the approval task in Camunda Tasklist
	 */
	void escalated(Escalation escalation, String taskUrl);

}
