package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.gate.ApprovalCard;
import io.countersign.response.ResponseStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Payloads, retries and limits against a real HTTP server standing in for Slack and Teams. */
@ExtendWith(OutputCaptureExtension.class)
class ChatWebhooksTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String LINK = "https://countersign.example/camunda/app/tasklist/default/#/?task=t-1";

	private static final Instant NOW = Instant.parse("2026-11-21T09:18:00Z");

	private final ChatServer chat = new ChatServer();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private Deliveries deliveries;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.deliveries != null) {
			this.deliveries.shutdown(Duration.ofSeconds(1));
		}
		this.chat.close();
	}

	@Test
	void shouldPostSlackTextAndBlocksWithSummaryRiskDeadlineAndLink() throws Exception {
		webhooks(limits(1, Duration.ZERO, 10)).post(this.chat.url("/slack/platform"),
				SlackMessages.approval(JSON, notice("Disable API key payments-api-key of svc-payments")));

		ChatServer.Received received = this.chat.received().get(0);
		assertThat(received.contentType()).startsWith("application/json");
		JsonNode body = received.body();
		assertThat(body.path("text").asText())
			.isEqualTo("Approval needed: Disable API key payments-api-key of svc-payments");
		assertThat(body.path("blocks")).extracting(block -> block.path("type").asText())
			.containsExactly("header", "section", "section", "section", "section", "section");
		assertThat(texts(body)).containsExactly("Approval needed", "Disable API key payments-api-key of svc-payments",
				"Risk: production · critical · 2 customer-facing consumers",
				"Deadline: expires in 7 h 12 min (2026-11-21 16:30 UTC)", "Who can decide: platform-owners",
				"<" + LINK + "|Open the task in Tasklist> to decide; approval happens there, signed in, not in chat.");
		// A link, never a button that decides.
		assertThat(body.toString()).doesNotContain("\"button\"", "\"actions\"");
	}

	@Test
	void shouldPostTeamsAdaptiveCardInTheMessageEnvelope() throws Exception {
		webhooks(limits(1, Duration.ZERO, 10)).post(this.chat.url("/teams/platform"),
				TeamsMessages.approval(JSON, notice("Disable API key payments-api-key of svc-payments")));

		JsonNode body = this.chat.received().get(0).body();
		assertThat(body.path("type").asText()).isEqualTo("message");
		assertThat(body.path("attachments")).hasSize(1);
		JsonNode attachment = body.path("attachments").get(0);
		assertThat(attachment.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
		JsonNode card = attachment.path("content");
		assertThat(card.path("type").asText()).isEqualTo("AdaptiveCard");
		assertThat(card.path("version").asText()).isEqualTo("1.4");
		assertThat(card.path("$schema").asText()).isEqualTo("http://adaptivecards.io/schemas/adaptive-card.json");
		assertThat(card.path("body").get(0).path("text").asText()).isEqualTo("Approval needed");
		assertThat(card.toString()).contains("Disable API key payments-api-key of svc-payments")
			.contains("production · critical · 2 customer-facing consumers")
			.contains("expires in 7 h 12 min (2026-11-21 16:30 UTC)");
		assertThat(card.path("actions")).hasSize(1);
		assertThat(card.path("actions").get(0).path("type").asText()).isEqualTo("Action.OpenUrl");
		assertThat(card.path("actions").get(0).path("url").asText()).isEqualTo(LINK);
	}

	@Test
	void shouldNotLetASummaryCarryALinkOrMentionIntoChat() {
		String hostile = "Rotate key <https://evil.example/approve|Approve here> <!channel> [Approve](https://evil.example)";

		JsonNode slack = SlackMessages.approval(JSON, notice(hostile));
		JsonNode teams = TeamsMessages.approval(JSON, notice(hostile));

		assertThat(slack.path("text").asText()).doesNotContain("<", ">").contains("&lt;https://evil.example/approve");
		// Integrator values are plain_text (rendered without links or mentions), only our link is mrkdwn.
		for (JsonNode block : slack.path("blocks")) {
			JsonNode text = block.path("text");
			if (text.path("text").asText().contains("evil")) {
				assertThat(text.path("type").asText()).isEqualTo("plain_text");
			}
			if (text.path("type").asText().equals("mrkdwn")) {
				assertThat(text.path("text").asText()).startsWith("<" + LINK + "|").doesNotContain("evil");
			}
		}
		// In the card the summary is a TextRun, which Adaptive Cards render without Markdown.
		assertThat(teams.findParents("text")).filteredOn(node -> node.path("text").asText().contains("evil"))
			.singleElement()
			.satisfies(node -> assertThat(node.path("type").asText()).isEqualTo("TextRun"));
		assertThat(teams.at("/attachments/0/content/actions/0/url").asText()).isEqualTo(LINK);
	}

	@Test
	void shouldPostOutcomeForTheRequester() throws Exception {
		OutcomeNotice outcome = new OutcomeNotice("r-1", "secret-rotation of key-1 of svc-payments: Key leaked",
				ResponseStatus.REJECTED, "Not our key", "https://countersign.example/api/v1/responses/r-1");
		Webhooks webhooks = webhooks(limits(1, Duration.ZERO, 10));

		webhooks.post(this.chat.url("/slack/scanner"), SlackMessages.outcome(JSON, outcome));
		webhooks.post(this.chat.url("/teams/scanner"), TeamsMessages.outcome(JSON, outcome));

		JsonNode slack = this.chat.received("/slack/scanner").get(0).body();
		assertThat(slack.path("text").asText()).isEqualTo("Rejected: secret-rotation of key-1 of svc-payments: Key leaked");
		assertThat(texts(slack)).contains("Why: Not our key", "Response r-1 is REJECTED",
				"<https://countersign.example/api/v1/responses/r-1|The response in Countersign>");
		JsonNode teams = this.chat.received("/teams/scanner").get(0).body();
		assertThat(teams.at("/attachments/0/content/body/0/text").asText()).isEqualTo("Rejected");
		assertThat(teams.at("/attachments/0/content/actions/0/url").asText())
			.isEqualTo("https://countersign.example/api/v1/responses/r-1");
	}

	@Test
	void shouldRetryAfterA500AndDeliverOnce(CapturedOutput output) {
		this.chat.answer(500);
		NotifyProperties.Delivery limits = limits(3, Duration.ofMillis(50), 10);
		Webhooks webhooks = webhooks(limits);
		this.deliveries = new Deliveries(limits, this.meters);

		this.deliveries.submit("slack", "group platform-owners", "task t-1",
				() -> webhooks.post(this.chat.url("/slack/platform"), SlackMessages.approval(JSON, notice("Rotate"))));

		assertThat(this.deliveries.awaitIdle(Duration.ofSeconds(5))).isTrue();
		assertThat(this.chat.received("/slack/platform")).hasSize(2);
		assertThat(this.meters.get(Deliveries.FAILED).tag("channel", "slack").counter().count()).isZero();
		assertThat(this.meters.get(Deliveries.SENT).tag("channel", "slack").counter().count()).isEqualTo(1.0);
		assertThat(output).doesNotContain("Notification not delivered");
	}

	@Test
	void shouldGiveUpAfterMaxAttemptsCountTheFailureAndLogOneLineWithoutTheUrl(CapturedOutput output) {
		this.chat.answer(500, 503, 500, 500);
		NotifyProperties.Delivery limits = limits(3, Duration.ofMillis(20), 10);
		Webhooks webhooks = webhooks(limits);
		this.deliveries = new Deliveries(limits, this.meters);
		String secretPath = "/services/T000/B000/secret-token-abc";

		this.deliveries.submit("teams", "group platform-owners", "task t-1",
				() -> webhooks.post(this.chat.url(secretPath), TeamsMessages.approval(JSON, notice("Rotate"))));

		assertThat(this.deliveries.awaitIdle(Duration.ofSeconds(5))).isTrue();
		assertThat(this.chat.received(secretPath)).hasSize(3);
		assertThat(this.meters.get(Deliveries.FAILED).tag("channel", "teams").counter().count()).isEqualTo(1.0);
		assertThat(output.getAll().lines().filter(line -> line.contains("Notification not delivered")))
			.singleElement()
			.satisfies(line -> assertThat(line).contains("WARN")
				.contains("teams to group platform-owners about task t-1: gave up after 3 attempt(s): answered HTTP 500"));
		assertThat(output.getAll()).doesNotContain("secret-token-abc");
	}

	@Test
	void shouldGiveUpOnAWebhookThatDoesNotAnswerWithinTheReadTimeout(CapturedOutput output) {
		this.chat.delay(Duration.ofSeconds(2));
		NotifyProperties.Delivery limits = new NotifyProperties.Delivery(1, Duration.ZERO, Duration.ZERO, 10,
				Duration.ofSeconds(1), Duration.ofMillis(200));
		Webhooks webhooks = webhooks(limits);
		this.deliveries = new Deliveries(limits, this.meters);

		this.deliveries.submit("slack", "requester scanner", "response r-1",
				() -> webhooks.post(this.chat.url("/slow"), SlackMessages.approval(JSON, notice("Rotate"))));

		assertThat(this.deliveries.awaitIdle(Duration.ofSeconds(5))).isTrue();
		assertThat(this.meters.get(Deliveries.FAILED).tag("channel", "slack").counter().count()).isEqualTo(1.0);
		assertThat(output).contains("no answer within PT0.2S");
	}

	@Test
	void shouldDropAndCountMessagesBeyondTheQueueLimit(CapturedOutput output) {
		this.chat.delay(Duration.ofMillis(300));
		NotifyProperties.Delivery limits = limits(1, Duration.ZERO, 2);
		Webhooks webhooks = webhooks(limits);
		this.deliveries = new Deliveries(limits, this.meters);

		for (int i = 0; i < 4; i++) {
			this.deliveries.submit("slack", "group platform-owners", "task t-" + i,
					() -> webhooks.post(this.chat.url("/slack/platform"), SlackMessages.approval(JSON, notice("Rotate"))));
		}

		assertThat(this.deliveries.awaitIdle(Duration.ofSeconds(5))).isTrue();
		assertThat(this.chat.received("/slack/platform")).hasSize(2);
		assertThat(this.meters.get(Deliveries.FAILED).tag("channel", "slack").counter().count()).isEqualTo(2.0);
		assertThat(output).contains("the notification queue is full (2 messages");
	}

	@Test
	void shouldDoubleTheBackoffUpToItsLimit() {
		NotifyProperties.Delivery limits = new NotifyProperties.Delivery(6, Duration.ofSeconds(2),
				Duration.ofSeconds(5), 10, Duration.ofSeconds(1), Duration.ofSeconds(1));

		assertThat(List.of(limits.backoff(2), limits.backoff(3), limits.backoff(4), limits.backoff(5)))
			.containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
	}

	@Test
	void shouldSayHowLongIsLeftBeforeTheDeadline() {
		assertThat(ApprovalNotice.deadline(Instant.parse("2026-11-21T16:30:00Z"), NOW))
			.isEqualTo("expires in 7 h 12 min (2026-11-21 16:30 UTC)");
		assertThat(ApprovalNotice.deadline(NOW.plus(Duration.ofDays(3)), NOW)).startsWith("expires in 3 d 0 h");
		assertThat(ApprovalNotice.deadline(NOW.plusSeconds(30), NOW)).startsWith("expires in 1 min");
		assertThat(ApprovalNotice.deadline(NOW.minusSeconds(1), NOW)).startsWith("overdue since");
		assertThat(ApprovalNotice.deadline(null, NOW)).isEqualTo("no deadline");
	}

	private Webhooks webhooks(NotifyProperties.Delivery limits) {
		return new Webhooks(limits, JSON);
	}

	private static NotifyProperties.Delivery limits(int attempts, Duration backoff, int queued) {
		return new NotifyProperties.Delivery(attempts, backoff, backoff, queued, Duration.ofSeconds(2),
				Duration.ofSeconds(5));
	}

	private static ApprovalNotice notice(String summary) {
		ApprovalCard card = new ApprovalCard("t-1", "r-1", "credential-revocation", summary,
				"production · critical · 2 customer-facing consumers", List.of("platform-owners"), "scanner",
				Instant.parse("2026-11-21T16:30:00Z"), null, 100);
		return new ApprovalNotice(ApprovalNotice.NEEDED, card, LINK,
				ApprovalNotice.deadline(card.dueAt(), NOW));
	}

	private static List<String> texts(JsonNode slack) {
		return slack.path("blocks").findValues("text").stream().map(text -> text.path("text").asText()).toList();
	}


}
