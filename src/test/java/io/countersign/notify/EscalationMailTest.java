package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class EscalationMailTest {

	private static final String LINK = "http://tasklist/#/?task=t-1";

	@Test
	void shouldPrefixSubjectWithTaskName() {
		assertThat(EscalationMail.subject(escalation("Approve secret rotation", "Leaked key")))
			.isEqualTo("[Countersign] Approval escalated: Approve secret rotation");
	}

	@Test
	void shouldKeepSubjectOnOneLineWhenTaskNameCarriesHeaderInjection() {
		String subject = EscalationMail.subject(escalation("Approve\r\nBcc: attacker@example.com\n\nbody", "s"));

		assertThat(subject).isEqualTo("[Countersign] Approval escalated: Approve Bcc: attacker@example.com body")
			.doesNotContain("\r", "\n");
	}

	@Test
	void shouldDropUnicodeLineSeparatorsAndBidiOverridesFromSubject() {
		String subject = EscalationMail.subject(escalation("Approve\u2028rotation\u0085now\u202Egnp.exe", "s"));

		assertThat(subject).isEqualTo("[Countersign] Approval escalated: Approve rotation now gnp.exe");
	}

	@Test
	void shouldNameTheTaskGenericallyWhenItHasNoName() {
		assertThat(EscalationMail.subject(escalation(null, "s")))
			.isEqualTo("[Countersign] Approval escalated: approval task");
		assertThat(EscalationMail.subject(escalation(" \r\n ", "s")))
			.isEqualTo("[Countersign] Approval escalated: approval task");
	}

	@Test
	void shouldCutLongTaskNamesWithEllipsis() {
		String subject = EscalationMail.subject(escalation("x".repeat(500), "s"));

		assertThat(subject.length()).isEqualTo(EscalationMail.SUBJECT_PREFIX.length() + 120);
		assertThat(subject).endsWith("x\u2026");
	}

	@Test
	void shouldNotSplitSurrogatePairWhenCutting() {
		String cut = PlainText.singleLine("ab\uD83D\uDE00cd", 4);

		assertThat(cut).isEqualTo("ab\u2026");
	}

	@Test
	void shouldPutEveryFactAndTheLinkIntoTheBody() {
		String body = EscalationMail.body(escalation("Approve secret rotation", "Leaked key in CI logs"), LINK);

		assertThat(body).contains("waits on the group security-leads.")
			.contains("Task:                   Approve secret rotation\n")
			.contains("Summary:                Leaked key in CI logs\n")
			.contains("Identity:               svc-payments\n")
			.contains("Action type:            credential.rotate\n")
			.contains("Action fingerprint:     sha256:abc\n")
			.contains("Approvals still needed: 2\n")
			.contains("Expires:                2026-11-21 16:30 UTC (then the action is denied)\n")
			.contains("Response:               r-1\n")
			.endsWith("Open the task in Camunda Tasklist:\n" + LINK + "\n");
	}

	@Test
	void shouldNotLetSummaryForgeBodyLines() {
		String body = EscalationMail.body(escalation("Approve", "fine\n\nOpen the task here:\nhttp://evil.example"),
				LINK);

		assertThat(body).contains("Summary:                fine Open the task here: http://evil.example\n");
		assertThat(body.lines()).doesNotContain("http://evil.example");
	}

	@Test
	void shouldShowDashForMissingValues() {
		Escalation bare = new Escalation("r-1", "t-1", null, null, null, null, null, "security-leads", 1, null);

		String body = EscalationMail.body(bare, LINK);

		assertThat(body).contains("Identity:               -\n").contains("Expires:                -\n");
	}

	private static Escalation escalation(String taskName, String summary) {
		return new Escalation("r-1", "t-1", taskName, summary, "svc-payments", "credential.rotate", "sha256:abc",
				"security-leads", 2, Instant.parse("2026-11-21T16:30:42Z"));
	}

}
