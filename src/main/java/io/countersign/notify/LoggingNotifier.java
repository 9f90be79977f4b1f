package io.countersign.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** Always on and first, so the log records every escalation even when every other channel fails. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class LoggingNotifier implements EscalationNotifier {

	private static final Logger log = LoggerFactory.getLogger(LoggingNotifier.class);

	private static final int MAX_TASK_NAME = 120;

	@Override
	public void escalated(Escalation escalation, String taskUrl) {
		log.info("Approval escalated: response {}, task {} '{}', now also group {}: {}", escalation.responseId(),
				escalation.taskId(), PlainText.singleLine(escalation.taskName(), MAX_TASK_NAME),
				escalation.escalationGroup(), taskUrl);
	}

}
