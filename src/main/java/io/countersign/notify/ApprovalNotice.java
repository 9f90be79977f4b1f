package io.countersign.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.countersign.gate.ApprovalCard;

/**
 * One message about an open approval task: its card, whom it is for now, and the link that opens it. The only action
 * a message offers is that link; the decision is taken in Tasklist, where the approver is signed in and the gate's
 * rules apply.
 * @param headline "Approval needed", or "Approval escalated" when a group was added because nobody decided in time
 * @param card what the task asks
 * @param link the Tasklist deep link to the task
 * @param deadline when the request expires, in words, at the time the message was composed
 */
record ApprovalNotice(String headline, ApprovalCard card, String link, String deadline) {

	static final String NEEDED = "Approval needed";

	static final String ESCALATED = "Approval escalated";

	private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
		.withZone(ZoneOffset.UTC);

	static ApprovalNotice of(String headline, ApprovalCard card, String link, Clock clock) {
		return new ApprovalNotice(headline, card, link, deadline(card.dueAt(), clock.instant()));
	}

	String summary() {
		return PlainText.singleLine(this.card.summary(), 500);
	}

	String riskLine() {
		return PlainText.singleLine(this.card.riskLine(), 500);
	}

	String groups() {
		return PlainText.singleLine(String.join(", ", this.card.candidateGroups()), 300);
	}

	/** "expires in 7 h 12 min (2026-11-21 16:30 UTC)"; people read the relative part, the absolute one is exact. */
	static String deadline(Instant dueAt, Instant now) {
		if (dueAt == null) {
			return "no deadline";
		}
		Duration left = Duration.between(now, dueAt);
		if (left.isNegative() || left.isZero()) {
			return "overdue since " + UTC.format(dueAt);
		}
		return "expires in " + inWords(left) + " (" + UTC.format(dueAt) + ")";
	}

	static String inWords(Duration left) {
		long minutes = Math.max(1, (left.getSeconds() + 59) / 60);
		long days = minutes / (24 * 60);
		long hours = minutes % (24 * 60) / 60;
		long mins = minutes % 60;
		if (days > 0) {
			return days + " d " + hours + " h";
		}
		if (hours > 0) {
			return hours + " h " + mins + " min";
		}
		return mins + " min";
	}

}
