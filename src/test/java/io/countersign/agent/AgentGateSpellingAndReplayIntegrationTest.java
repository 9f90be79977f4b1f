package io.countersign.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.toolserver.ToolCallVerifier;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The agent gate's smaller holes, played over HTTP as the agent ({@code research-bot}), the reviewer ({@code erin})
 * and the tool server: a tool name spelled differently, a spent receipt reported again, a pattern grant asked to
 * cover a string where it named a number.
 */
@HttpIntegrationTest
class AgentGateSpellingAndReplayIntegrationTest {

	private static final String AGENT = "research-bot";

	private static final ObjectMapper MAPPER = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	TaskService taskService;

	@Autowired
	ProcessEngine processEngine;

	private ApiClient api;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldDenyShellToolsWhateverTheirSpellingAsTheLowerCaseToolIs() {
		JsonNode lower = ask("shell.exec", "{\"command\":\"id\"}");
		assertThat(lower.path("status").asText()).isEqualTo("DENIED");
		for (String spelling : List.of("Shell.exec", "SHELL.exec", "SHELL.EXEC")) {
			JsonNode asked = ask(spelling, "{\"command\":\"id\"}");
			JsonNode action = read(asked.path("id").asText());

			assertThat(asked.path("status").asText()).as(spelling).isEqualTo("DENIED");
			assertThat(action.path("tool").asText()).as(spelling).isEqualTo("shell.exec");
			assertThat(action.path("policyRule").asText()).as(spelling).isEqualTo("shell-forbidden");
			assertThat(action.path("receipt").isMissingNode() || action.path("receipt").isNull()).isTrue();
		}
	}

	@Test
	void shouldReviewPaymentsToolSpelledInCapitalsUnderThePaymentsRuleAndIssueTheReceiptForTheLowerCaseName() {
		String arguments = "{\"orderId\":\"ORD-77\",\"amount\":25,\"currency\":\"EUR\"}";
		JsonNode asked = ask("Payments.refund", arguments);
		String id = asked.path("id").asText();
		assertThat(asked.path("status").asText()).isEqualTo("PENDING");
		assertThat(read(id).path("policyRule").asText()).isEqualTo("payments-review-every-call");
		assertThat(read(id).path("tool").asText()).isEqualTo("payments.refund");

		// payments.* allows no standing grant; under the default rule this one would have been allowed.
		ApiClient.Reply grant = complete("erin", id, Map.of("decision", Map.of("value", "APPROVE"), "reason",
				Map.of("value", "ticket checked"), "standingGrant", Map.of("value", "TOOL"), "grantDays",
				Map.of("value", 2)));
		assertThat(grant.status()).as(grant.toString()).isEqualTo(400);
		assertThat(grant.body()).contains("'standing-grant-forbidden'");
		assertThat(review("erin", id, "APPROVE").status()).isEqualTo(204);

		String receipt = this.api.get(AGENT, "/api/v1/agent-actions/" + id).json().at("/receipt/token").asText();
		ToolCallVerifier.Verified verified = verifier().verify(receipt, "payments.refund", arguments,
				ToolCallVerifier.Use.OFFLINE);
		assertThat(verified.tool()).isEqualTo("payments.refund");
		// A tool server that spells its own name in capitals arrives at the same name.
		verifier().verify(receipt, "PAYMENTS.Refund", arguments, ToolCallVerifier.Use.OFFLINE);
	}

	@Test
	void shouldRefuseToolNamesWithWhitespaceNonAsciiOrHomoglyphs() {
		// "shеll.exec" with a Cyrillic "е", a non-breaking space, a full-width dot, and plain whitespace.
		for (String tool : List.of("sh\u0435ll.exec", "shell\u00a0exec", "shell\uff0eexec", " shell.exec",
				"shell.exec ", "shell exec", "")) {
			ApiClient.Reply reply = this.api.post(AGENT, "/api/v1/agent-actions", request(tool, "{}"));

			assertThat(reply.status()).as(tool + ": " + reply).isEqualTo(400);
			assertThat(reply.contentType()).startsWith("application/problem+json");
			assertThat(reply.json().path("field").asText()).isEqualTo("tool");
		}
		String id = approvedAction("tickets.reopen", "{\"ticket\":\"T-5\"}");
		ApiClient.Reply use = this.api.post("tool-server", "/api/v1/agent-actions/" + id + "/uses",
				Map.of("receipt", receiptOf(id), "tool", "tick\u0435ts.reopen", "arguments", Map.of("ticket", "T-5"),
						"singleUse", false));
		assertThat(use.status()).as(use.toString()).isEqualTo(400);
		assertThat(use.json().path("field").asText()).isEqualTo("tool");
	}

	@Test
	void shouldRefuseSpentSingleUseReceiptReportedAgainInReportMode() {
		String id = approvedAction("tickets.reopen", "{\"ticket\":\"T-6\"}");
		String receipt = receiptOf(id);
		Map<String, Object> arguments = Map.of("ticket", "T-6");

		ApiClient.Reply spent = use(id, receipt, arguments, true);
		assertThat(spent.status()).as(spent.toString()).isEqualTo(200);
		ApiClient.Reply again = use(id, receipt, arguments, false);

		assertThat(again.status()).as(again.toString()).isEqualTo(409);
		assertThat(again.json().path("reason").asText()).isEqualTo("replayed");
		assertThat(use(id, receipt, arguments, true).json().path("reason").asText()).isEqualTo("replayed");
		assertThat(read(id).path("uses").asInt()).isEqualTo(1);
		List<JsonNode> refused = ledger(id).stream()
			.filter(entry -> entry.path("type").asText().equals("AGENT_USE_REFUSED"))
			.toList();
		assertThat(refused).hasSize(2)
			.allSatisfy(entry -> assertThat(entry.at("/data/reason").asText()).isEqualTo("replayed"));
		// The verifier a tool server runs says the same.
		assertThatThrownBy(() -> verifier().verify(receipt, "tickets.reopen", "{\"ticket\":\"T-6\"}",
				ToolCallVerifier.Use.REPORT))
			.isInstanceOfSatisfying(ToolCallVerifier.Refused.class,
					refusedUse -> assertThat(refusedUse.reason()).isEqualTo("replayed"));
	}

	@Test
	void shouldNotLetANumericPatternGrantApproveTheStringOfTheNumber() {
		String tool = "crm.credit-note";
		String first = ask(tool, "{\"ticket\":\"T-1\",\"amount\":25}").path("id").asText();
		ApiClient.Reply granted = complete("erin", first, Map.of("decision", Map.of("value", "APPROVE"), "reason",
				Map.of("value", "small credit notes are fine"), "standingGrant", Map.of("value", "ARGUMENT_PATTERN"),
				"grantPattern", Map.of("value", "{\"ticket\":\"T-*\",\"amount\":25}"), "grantDays", Map.of("value", 7)));
		assertThat(granted.status()).as(granted.toString()).isEqualTo(204);

		JsonNode asString = ask(tool, "{\"ticket\":\"T-2\",\"amount\":\"25\"}");
		JsonNode asNumber = ask(tool, "{\"ticket\":\"T-3\",\"amount\":25.00}");

		assertThat(asString.path("status").asText()).isEqualTo("PENDING");
		assertThat(asNumber.path("status").asText()).isEqualTo("APPROVED");
		assertThat(read(asNumber.path("id").asText()).at("/decision/reviewer").asText()).startsWith("grant:");
	}

	// ---- helpers ------------------------------------------------------------------------------------------

	private static String request(String tool, String arguments) {
		return "{\"agent\":\"research-bot\",\"tool\":" + quote(tool) + ",\"arguments\":" + arguments
				+ ",\"purpose\":\"Follow up ticket\",\"scope\":\"tickets:write\",\"durationSeconds\":900}";
	}

	private static String quote(String value) {
		try {
			return MAPPER.writeValueAsString(value);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private JsonNode ask(String tool, String arguments) {
		ApiClient.Reply reply = this.api.post(AGENT, "/api/v1/agent-actions", request(tool, arguments));
		assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
		return reply.json();
	}

	private JsonNode read(String id) {
		ApiClient.Reply reply = this.api.get("erin", "/api/v1/agent-actions/" + id);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	private String approvedAction(String tool, String arguments) {
		String id = ask(tool, arguments).path("id").asText();
		assertThat(review("erin", id, "APPROVE").status()).isEqualTo(204);
		return id;
	}

	private String receiptOf(String id) {
		String token = this.api.get(AGENT, "/api/v1/agent-actions/" + id).json().at("/receipt/token").asText();
		assertThat(token).isNotBlank();
		return token;
	}

	private ApiClient.Reply use(String id, String receipt, Map<String, Object> arguments, boolean singleUse) {
		return this.api.post("tool-server", "/api/v1/agent-actions/" + id + "/uses",
				Map.of("receipt", receipt, "tool", "tickets.reopen", "arguments", arguments, "singleUse", singleUse));
	}

	private ApiClient.Reply review(String user, String id, String decision) {
		return complete(user, id, Map.of("decision", Map.of("value", decision), "reason",
				Map.of("value", decision + " after checking the ticket")));
	}

	private ApiClient.Reply complete(String user, String id, Map<String, Object> variables) {
		String taskId = this.taskService.createTaskQuery().processInstanceBusinessKey(id).singleResult().getId();
		return this.api.post(user, "/engine-rest/engine/" + this.processEngine.getName() + "/task/" + taskId
				+ "/complete", Map.of("variables", variables));
	}

	private ToolCallVerifier verifier() {
		return ToolCallVerifier.builder(URI.create("http://localhost:" + this.port))
			.credentials("tool-server", "tool-server")
			.build();
	}

	private List<JsonNode> ledger(String id) {
		ApiClient.Reply reply = this.api.get("audrey", "/api/v1/audit?response=" + id);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return Arrays.stream(reply.body().split("\n")).filter(line -> !line.isBlank()).map(line -> {
			try {
				return MAPPER.readTree(line);
			}
			catch (Exception ex) {
				throw new IllegalStateException(line, ex);
			}
		}).toList();
	}

}
