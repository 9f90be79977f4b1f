package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole path from the API to the chat channels: a real HTTP server stands in for the Slack and Teams webhooks of
 * the approver groups and of the requester, and the links come from the configured public URL, not from the port the
 * test server happens to listen on.
 */
@HttpIntegrationTest
class ChatNotificationsIntegrationTest {

	private static final String PUBLIC_URL = "https://countersign.example";

	private static final Duration WAIT = Duration.ofSeconds(30);

	static final ChatServer chat = new ChatServer();

	@LocalServerPort
	int port;

	@Autowired
	TaskService taskService;

	private ApiClient api;

	@DynamicPropertySource
	static void chatWebhooks(DynamicPropertyRegistry registry) {
		registry.add("countersign.public-url", () -> PUBLIC_URL);
		registry.add("countersign.notify.slack.webhooks.platform-owners", () -> chat.url("/slack/platform-owners"));
		registry.add("countersign.notify.teams.webhooks.platform-owners", () -> chat.url("/teams/platform-owners"));
		registry.add("countersign.notify.slack.webhooks.agent-reviewers", () -> chat.url("/slack/agent-reviewers"));
		registry.add("countersign.notify.teams.webhooks.agent-reviewers", () -> chat.url("/teams/agent-reviewers"));
		registry.add("countersign.notify.slack.requesters.scanner", () -> chat.url("/slack/scanner"));
		registry.add("countersign.notify.teams.requesters.scanner", () -> chat.url("/teams/scanner"));
		registry.add("countersign.notify.delivery.initial-backoff", () -> "PT0.1S");
	}

	@AfterAll
	static void stopChat() {
		chat.close();
	}

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldTellTheApproversInSlackAndTeamsAndTheRequesterTheOutcome() {
		// The first answer of the approvers' Slack webhook fails: the message is retried, not lost.
		chat.answer(500);
		String id = this.api.startRotation("svc-notify", "high");
		JsonNode awaiting = this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		Task task = await().atMost(WAIT).until(() -> approvalTask(id), found -> found != null);
		String link = PUBLIC_URL + "/camunda/app/tasklist/default/#/?task=" + task.getId();
		String credential = awaiting.path("credential").asText();

		JsonNode slack = awaitMessage("/slack/platform-owners", link);
		assertThat(slack.path("text").asText()).startsWith("Approval needed: ").contains(credential);
		assertThat(slack.toString()).contains("Deadline: expires in ").contains("Who can decide: platform-owners");
		assertThat(chat.received("/slack/platform-owners")).hasSizeGreaterThanOrEqualTo(2);
		JsonNode teams = awaitMessage("/teams/platform-owners", link);
		assertThat(teams.at("/attachments/0/contentType").asText()).isEqualTo(TeamsMessages.CARD_CONTENT_TYPE);
		assertThat(teams.at("/attachments/0/content/actions/0/url").asText()).isEqualTo(link);
		assertThat(teams.toString()).contains(credential).contains("expires in ");
		// Nobody else's channel heard about it.
		assertThat(chat.received("/slack/agent-reviewers")).noneMatch(message -> message.body().toString().contains(link));

		ApiClient.Reply decided = this.api.post("bob", "/api/v1/responses/" + id + "/decision", Map.of("decision",
				"APPROVE", "reason", "Rotate it", "fingerprint", awaiting.path("stagedAction").path("fingerprint").asText()));
		assertThat(decided.status()).as(decided.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");

		String responseLink = PUBLIC_URL + "/api/v1/responses/" + id;
		JsonNode outcome = awaitMessage("/slack/scanner", responseLink);
		assertThat(outcome.path("text").asText()).startsWith("Approved and applied: secret-rotation of " + credential);
		JsonNode teamsOutcome = awaitMessage("/teams/scanner", responseLink);
		assertThat(teamsOutcome.at("/attachments/0/content/body/0/text").asText()).isEqualTo("Approved and applied");
	}

	@Test
	void shouldTellTheAgentReviewersWhenAnAgentToolCallWaitsForReview() {
		ApiClient.Reply asked = this.api.post("research-bot", "/api/v1/agent-actions",
				"{\"agent\":\"research-bot\",\"tool\":\"payments.refund\",\"arguments\":{\"orderId\":\"ORD-77\","
						+ "\"amount\":25.00,\"currency\":\"EUR\"},\"purpose\":\"Refund a duplicate charge\","
						+ "\"scope\":\"refunds:write\",\"durationSeconds\":900}");
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		String actionId = asked.json().path("id").asText();
		Task task = await().atMost(WAIT)
			.until(() -> this.taskService.createTaskQuery().processInstanceBusinessKey(actionId).singleResult(),
					found -> found != null);
		String link = PUBLIC_URL + "/camunda/app/tasklist/default/#/?task=" + task.getId();

		JsonNode slack = awaitMessage("/slack/agent-reviewers", link);
		assertThat(slack.toString()).contains("Who can decide: agent-reviewers");
		JsonNode teams = awaitMessage("/teams/agent-reviewers", link);
		assertThat(teams.at("/attachments/0/content/actions/0/url").asText()).isEqualTo(link);
	}

	private Task approvalTask(String responseId) {
		return this.taskService.createTaskQuery()
			.processInstanceBusinessKey(responseId)
			.taskDefinitionKey("Task_Approve")
			.singleResult();
	}

	/** The message posted to {@code path} that carries {@code link}; chat messages arrive after the commit. */
	private static JsonNode awaitMessage(String path, String link) {
		List<JsonNode> found = await().atMost(WAIT)
			.until(() -> chat.received(path)
				.stream()
				.map(ChatServer.Received::body)
				.filter(body -> body.toString().contains(link))
				.toList(), messages -> !messages.isEmpty());
		return found.get(0);
	}

}
