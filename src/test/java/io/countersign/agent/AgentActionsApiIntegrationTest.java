package io.countersign.agent;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.toolserver.ToolCallVerifier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The agent tool-call gate over HTTP: an agent asks and waits, a reviewer decides, a tool server verifies. */
@HttpIntegrationTest
class AgentActionsApiIntegrationTest {

	static final String AGENT = "research-bot";

	static final String REFUND = "{\"orderId\":\"ORD-1234\",\"amount\":25.00,\"currency\":\"EUR\"}";

	@LocalServerPort
	int port;

	@Autowired
	TaskService taskService;

	@Autowired
	IdentityService identityService;

	@Autowired
	AgentActionWaiters waiters;

	@Autowired
	ProcessEngine processEngine;

	private ApiClient api;

	private String engineRest() {
		return "/engine-rest/engine/" + this.processEngine.getName();
	}

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	private static String request(String tool, String arguments) {
		return "{\"agent\":\"research-bot\",\"tool\":\"" + tool + "\",\"arguments\":" + arguments
				+ ",\"purpose\":\"Refund a duplicate charge\",\"scope\":\"refunds:write\",\"durationSeconds\":900}";
	}

	private JsonNode ask(String tool, String arguments) {
		ApiClient.Reply reply = this.api.post(AGENT, "/api/v1/agent-actions", request(tool, arguments));
		assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
		return reply.json();
	}

	private String taskId(String actionId) {
		return this.taskService.createTaskQuery().processInstanceBusinessKey(actionId).singleResult().getId();
	}

	/** The reviewer's channel here is engine-rest, the API Tasklist itself calls. */
	private ApiClient.Reply reviewAs(String user, String actionId, String decision) {
		return this.api.post(user, engineRest() + "/task/" + taskId(actionId) + "/complete",
				Map.of("variables", Map.of("decision", Map.of("value", decision), "reason",
						Map.of("value", decision + " after checking the ticket"))));
	}

	private CompletableFuture<ApiClient.Reply> longPoll(String user, String actionId, int seconds) {
		int before = this.waiters.waiting();
		CompletableFuture<ApiClient.Reply> poll = CompletableFuture
			.supplyAsync(() -> this.api.get(user, "/api/v1/agent-actions/" + actionId + "?waitSeconds=" + seconds));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.waiters.waiting() > before || poll.isDone());
		return poll;
	}

	private ToolCallVerifier verifier(Clock clock) {
		return ToolCallVerifier.builder(URI.create("http://localhost:" + this.port))
			.credentials("tool-server", "tool-server")
			.clock(clock)
			.build();
	}

	@Test
	void shouldAnswerAWaitingAgentWhenAReviewerApprovesOnAnotherThread() throws Exception {
		JsonNode accepted = ask("payments.refund", REFUND);
		assertThat(accepted.get("status").asText()).isEqualTo("PENDING");
		String id = accepted.get("id").asText();
		assertThat(accepted.at("/links/self").asText()).isEqualTo("/api/v1/agent-actions/" + id);

		CompletableFuture<ApiClient.Reply> poll = longPoll(AGENT, id, 50);
		assertThat(poll).isNotDone();
		assertThat(reviewAs("erin", id, "APPROVE").status()).isEqualTo(204);

		// Had the reviewer not woken it, the poll would have answered PENDING after 50 s.
		JsonNode answer = poll.get(40, TimeUnit.SECONDS).json();
		assertThat(answer.get("status").asText()).isEqualTo("APPROVED");
		assertThat(answer.at("/decision/reviewer").asText()).isEqualTo("erin");
		assertThat(answer.at("/decision/outcome").asText()).isEqualTo("APPROVED");
		String receipt = answer.at("/receipt/token").asText();

		ToolCallVerifier.Verified verified = verifier(Clock.systemUTC()).verify(receipt, "payments.refund",
				"{\"currency\":\"EUR\",\"orderId\":\"ORD-1234\",\"amount\":25}", ToolCallVerifier.Use.REPORT,
				"refunds:write");
		assertThat(verified.actionId()).isEqualTo(id);
		assertThat(verified.approvers()).containsExactly("erin");
		assertThat(this.api.get("erin", "/api/v1/agent-actions/" + id).json().get("uses").asInt()).isEqualTo(1);
	}

	@Test
	void shouldAnswerAWaitingAgentWithTheDenialAndNoReceipt() throws Exception {
		String id = ask("payments.refund", REFUND).get("id").asText();
		CompletableFuture<ApiClient.Reply> poll = longPoll(AGENT, id, 50);

		assertThat(reviewAs("erin", id, "DENY").status()).isEqualTo(204);

		JsonNode answer = poll.get(40, TimeUnit.SECONDS).json();
		assertThat(answer.get("status").asText()).isEqualTo("DENIED");
		assertThat(answer.at("/decision/reviewer").asText()).isEqualTo("erin");
		assertThat(answer.has("receipt")).isFalse();
	}

	@Test
	void shouldAnswerPendingWhenTheWaitRunsOutAndRefuseWaitsOutOfRange() {
		String id = ask("payments.refund", REFUND).get("id").asText();

		assertThat(this.api.get(AGENT, "/api/v1/agent-actions/" + id + "?waitSeconds=1").json().get("status")
			.asText()).isEqualTo("PENDING");
		for (String wait : List.of("61", "-1", "soon")) {
			ApiClient.Reply reply = this.api.get(AGENT, "/api/v1/agent-actions/" + id + "?waitSeconds=" + wait);
			assertThat(reply.status()).as(wait).isEqualTo(400);
			assertThat(reply.contentType()).startsWith("application/problem+json");
			assertThat(reply.json().get("detail").asText()).contains("waitSeconds");
		}
	}

	@Test
	void shouldRefuseUnknownFieldsArgumentsThatAreNotAnObjectAndOversizedArguments() {
		String unknown = "{\"agent\":\"research-bot\",\"tool\":\"t.x\",\"arguments\":{},\"purpose\":\"p\",\"durationSeconds\":60,"
				+ "\"priority\":\"urgent\"}";
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", unknown), 400, "Unknown field 'priority'");
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", request("t.x", "[1,2]")), 400,
				"arguments must be a JSON object, not an array");
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", request("t.x", "\"{}\"")), 400,
				"arguments must be a JSON object, not a string");
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", request("t.x", "{\"a\":1,\"a\":2}")), 400,
				"Duplicate field 'a'");
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", request("t.x", "{\"a\":")), 400,
				"Field 'arguments'");
		String big = "{\"blob\":\"" + "x".repeat(64 * 1024) + "\"}";
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", request("t.x", big)), 413, "65536 bytes");
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions",
				request("t.x", "{}").replace("900", "86401")), 400, "durationSeconds");
		assertProblem(this.api.post(AGENT, "/api/v1/agent-actions", request("t x", "{}")), 400, "tool is required");
	}

	private static void assertProblem(ApiClient.Reply reply, int status, String detail) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
		assertThat(reply.contentType()).startsWith("application/problem+json");
		assertThat(reply.json().get("detail").asText()).contains(detail);
	}

	@Test
	void shouldLetAnAgentReadOnlyItsOwnActionsAndNeverDecide() {
		String id = ask("payments.refund", REFUND).get("id").asText();
		createAgentAccount("other-bot");

		assertThat(this.api.get("other-bot", "/api/v1/agent-actions/" + id).status()).isEqualTo(404);
		assertThat(this.api.get("scanner", "/api/v1/agent-actions/" + id).status()).isEqualTo(403);
		assertThat(this.api.get("erin", "/api/v1/agent-actions/" + id).status()).isEqualTo(200);

		String task = taskId(id);
		ApiClient.Reply byAgent = this.api.post(AGENT, engineRest() + "/task/" + task + "/complete",
				Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason", Map.of("value", "me"))));
		assertThat(byAgent.status()).isEqualTo(403);
		assertThat(this.taskService.createTaskQuery().taskId(task).count()).isEqualTo(1);
		assertThat(this.api.post(AGENT, "/api/v1/agent-actions/" + id + "/revocation", "{\"reason\":\"x\"}").status())
			.isEqualTo(403);
		assertThat(this.api.post(AGENT, "/api/v1/agent-actions", request("payments.refund", REFUND)).status())
			.isEqualTo(202);
		assertThat(this.api.post("erin", "/api/v1/agent-actions", request("payments.refund", REFUND)).status())
			.isEqualTo(403);
	}

	private void createAgentAccount(String id) {
		if (this.identityService.createUserQuery().userId(id).count() == 0) {
			User user = this.identityService.newUser(id);
			user.setPassword(id);
			this.identityService.saveUser(user);
			this.identityService.createMembership(id, "agents");
		}
	}

	@Test
	void shouldRefuseAReceiptForOtherArgumentsAfterExpiryOnReplayAndFromAForeignKey() throws Exception {
		String id = ask("payments.refund", REFUND).get("id").asText();
		reviewAs("erin", id, "APPROVE");
		String receipt = this.api.get(AGENT, "/api/v1/agent-actions/" + id).json().at("/receipt/token").asText();
		ToolCallVerifier verifier = verifier(Clock.systemUTC());

		assertRefused(() -> verifier.verify(receipt, "payments.refund",
				"{\"orderId\":\"ORD-1234\",\"amount\":2500,\"currency\":\"EUR\"}", ToolCallVerifier.Use.SINGLE),
				"arguments-mismatch");
		assertRefused(() -> verifier(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(901))).verify(receipt,
				"payments.refund", REFUND, ToolCallVerifier.Use.OFFLINE), "expired");
		String foreign = foreignReceipt(id);
		assertRefused(() -> verifier.verify(foreign, "payments.refund", REFUND,
				ToolCallVerifier.Use.OFFLINE), "foreign");

		verifier.verify(receipt, "payments.refund", REFUND, ToolCallVerifier.Use.SINGLE);
		assertRefused(() -> verifier.verify(receipt, "payments.refund", REFUND, ToolCallVerifier.Use.SINGLE),
				"replayed");
	}

	@Test
	void shouldRefuseAReportedUseOnceAReviewerRevokedTheAccess() {
		String id = ask("payments.refund", REFUND).get("id").asText();
		reviewAs("erin", id, "APPROVE");
		String receipt = this.api.get(AGENT, "/api/v1/agent-actions/" + id).json().at("/receipt/token").asText();
		ToolCallVerifier verifier = verifier(Clock.systemUTC());
		verifier.verify(receipt, "payments.refund", REFUND, ToolCallVerifier.Use.REPORT);

		ApiClient.Reply revoked = this.api.post("erin", "/api/v1/agent-actions/" + id + "/revocation",
				"{\"reason\":\"Refund done by hand\"}");

		assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
		assertThat(revoked.json().get("status").asText()).isEqualTo("REVOKED");
		assertThat(revoked.json().at("/ended/by").asText()).isEqualTo("erin");
		assertRefused(() -> verifier.verify(receipt, "payments.refund", REFUND, ToolCallVerifier.Use.REPORT),
				"revoked");
		// Offline verification cannot see a revocation: the receipt stays valid until it expires.
		verifier.verify(receipt, "payments.refund", REFUND, ToolCallVerifier.Use.OFFLINE);
	}

	@Test
	void shouldListAndRevokeStandingGrantsOverHttp() {
		String id = ask("tickets.close", "{\"ticket\":\"T-9\"}").get("id").asText();
		ApiClient.Reply approved = this.api.post("erin", engineRest() + "/task/" + taskId(id) + "/complete",
				Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason", Map.of("value", "fine"),
						"standingGrant", Map.of("value", "TOOL"), "grantDays", Map.of("value", 2))));
		assertThat(approved.status()).as(approved.toString()).isEqualTo(204);
		JsonNode grants = this.api.get(AGENT, "/api/v1/agent-grants").json();
		JsonNode grant = find(grants, id);
		assertThat(grant.get("kind").asText()).isEqualTo("TOOL");
		assertThat(grant.get("status").asText()).isEqualTo("ACTIVE");
		assertThat(ask("tickets.close", "{\"ticket\":\"T-10\"}").get("status").asText()).isEqualTo("APPROVED");

		String grantId = grant.get("id").asText();
		assertThat(this.api.send(AGENT, "DELETE", "/api/v1/agent-grants/" + grantId, null, Map.of()).status())
			.isEqualTo(403);
		ApiClient.Reply revoked = this.api.send("erin", "DELETE", "/api/v1/agent-grants/" + grantId + "?reason=done",
				null, Map.of());
		assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
		assertThat(revoked.json().get("status").asText()).isEqualTo("REVOKED");
		assertThat(ask("tickets.close", "{\"ticket\":\"T-11\"}").get("status").asText()).isEqualTo("PENDING");
		assertThat(this.api.send("erin", "DELETE", "/api/v1/agent-grants/" + grantId, null, Map.of()).status())
			.isEqualTo(409);
	}

	private static JsonNode find(JsonNode grants, String sourceAction) {
		for (JsonNode grant : grants) {
			if (grant.get("sourceAction").asText().equals(sourceAction)) {
				return grant;
			}
		}
		throw new AssertionError("no grant from " + sourceAction + " in " + grants);
	}

	private static void assertRefused(Runnable verification, String reason) {
		assertThatThrownBy(verification::run).isInstanceOf(ToolCallVerifier.Refused.class)
			.satisfies(ex -> assertThat(((ToolCallVerifier.Refused) ex).reason()).isEqualTo(reason));
	}

	/** A well-formed receipt for the right call, signed by a key the server never published. */
	private static String foreignReceipt(String id) throws Exception {
		ECKey key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("countersign")
			.subject(id)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(new Date())
			.expirationTime(new Date(System.currentTimeMillis() + 600_000))
			.claim("fingerprint", ToolCallVerifier.argumentsHash("payments.refund", REFUND))
			.claim("approvers", List.of("erin"))
			.claim("policyRule", "payments-review-every-call")
			.claim("tool", "payments.refund")
			.claim("agent", "research-bot")
			.claim("accountId", "research-bot")
			.claim("scope", "refunds:write")
			.claim("requestHash", "sha256:" + "0".repeat(64))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
			.type(new JOSEObjectType("countersign-receipt+jwt"))
			.build(), claims);
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

}
