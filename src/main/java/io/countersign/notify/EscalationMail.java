package io.countersign.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The subject and plain-text body of an escalation e-mail. Every interpolated value goes through
 * {@link PlainText#singleLine}: the subject is a header, and a body line that breaks could pass for a line of ours
 * (a second "Open the task" link, say).
 */
final class EscalationMail {

	static final String SUBJECT_PREFIX = "[Countersign] Approval escalated: ";

	/** Long enough for any task name we model; keeps the subject readable in a mail client's list. */
	private static final int MAX_TASK_NAME = 120;

	private static final int MAX_SUMMARY = 1000;

	private static final int MAX_VALUE = 300;

	private static final String MISSING = "-";

	private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
		.withZone(ZoneOffset.UTC);

	private EscalationMail() {
	}

	static String subject(Escalation escalation) {
		String taskName = PlainText.singleLine(escalation.taskName(), MAX_TASK_NAME);
		return SUBJECT_PREFIX + (taskName.isEmpty() ? "approval task" : taskName);
	}

	static String body(Escalation escalation, String taskUrl) {
		return "An approval in Countersign was not decided in time. It now also waits on the group "
				+ value(escalation.escalationGroup(), MAX_VALUE) + ".\n\n"
				+ "Task:                   " + value(escalation.taskName(), MAX_VALUE) + "\n"
				+ "Summary:                " + value(escalation.summary(), MAX_SUMMARY) + "\n"
				+ "Identity:               " + value(escalation.identity(), MAX_VALUE) + "\n"
				+ "Action type:            " + value(escalation.actionType(), MAX_VALUE) + "\n"
				+ "Action fingerprint:     " + value(escalation.actionFingerprint(), MAX_VALUE) + "\n"
				+ "Approvals still needed: " + escalation.approvalsNeeded() + "\n"
				+ "Expires:                " + expiry(escalation.expiresAt()) + "\n"
				+ "Response:               " + value(escalation.responseId(), MAX_VALUE) + "\n\n"
				+ "Open the task in Camunda Tasklist:\n"
				+ taskUrl + "\n";
	}

	private static String value(String value, int maxLength) {
		String line = PlainText.singleLine(value, maxLength);
		return line.isEmpty() ? MISSING : line;
	}

	private static String expiry(Instant expiresAt) {
		if (expiresAt == null) {
			return MISSING;
		}
		return EXPIRY.format(expiresAt) + " (then the action is denied)";
	}

}
