package io.countersign.notify;

/**
 * Subjects and plain-text bodies of the e-mails about new approval tasks and outcomes. As in {@link EscalationMail},
 * every interpolated value is put on one line, so none can forge a line of ours (a second link, say).
 */
final class NoticeMail {

	static final String PREFIX = "[Countersign] ";

	private NoticeMail() {
	}

	static String subject(ApprovalNotice notice) {
		return PREFIX + notice.headline() + ": " + PlainText.singleLine(notice.summary(), 150);
	}

	static String body(ApprovalNotice notice) {
		return "An approval in Countersign waits for you (" + notice.groups() + ").\n\n"
				+ "What:     " + notice.summary() + "\n"
				+ "Risk:     " + dash(notice.riskLine()) + "\n"
				+ "Deadline: " + notice.deadline() + "\n\n"
				+ "Open the task in Camunda Tasklist to decide (approval happens there, signed in):\n"
				+ notice.link() + "\n";
	}

	static String subject(OutcomeNotice notice) {
		return PREFIX + notice.headline() + ": " + PlainText.singleLine(notice.whatLine(), 150);
	}

	static String body(OutcomeNotice notice) {
		return "A response you asked for has ended.\n\n"
				+ "What:     " + notice.whatLine() + "\n"
				+ "Outcome:  " + notice.status().name() + " (" + notice.headline() + ")\n"
				+ "Why:      " + dash(notice.whyLine()) + "\n"
				+ "Response: " + notice.responseId() + "\n\n"
				+ notice.link() + "\n";
	}

	private static String dash(String value) {
		return value.isEmpty() ? "-" : value;
	}

}
