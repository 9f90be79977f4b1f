package io.countersign.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Identities name their target, and every action on one goes to its target's connector: an identity on a webhook
 * target is revoked by the receiver, not in Countersign's tables. An integrator cannot name a target that does not
 * exist, nor move an identity to another target.
 */
@HttpIntegrationTest
class TargetsIntegrationTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private static final List<JsonNode> RECEIVED = new CopyOnWriteArrayList<>();

	private static final HttpServer RECEIVER = receiver();

	@LocalServerPort
	int port;

	ApiClient api;

	@DynamicPropertySource
	static void targets(DynamicPropertyRegistry registry) {
		String hook = "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook";
		registry.add("countersign.targets.hooks.type", () -> "webhook");
		// Test data, not a real secret.
		registry.add("countersign.connectors.webhook.secret", () -> "test-only-webhook-secret-0123456789abcdef");
		registry.add("countersign.connectors.webhook.endpoints[credential.disable]", () -> hook);
		registry.add("countersign.connectors.webhook.endpoints[credential.suspend]", () -> hook);
	}

	@AfterAll
	static void stopReceiver() {
		RECEIVER.stop(0);
	}

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldPlaceIdentitiesThatNameNoTargetOnTheInventory() {
		String identity = "svc-default-" + UUID.randomUUID();

		Reply stored = upsert(identity, null);

		assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
		assertThat(this.api.get("scanner", "/api/v1/identities/" + identity).json().path("target").asText())
			.isEqualTo("inventory");
	}

	@Test
	void shouldRefuseAnIdentityOnATargetThatIsNotConfiguredAndStoreNothing() {
		String identity = "svc-nowhere-" + UUID.randomUUID();

		Reply refused = upsert(identity, "kc-nowhere");

		assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
		assertThat(refused.contentType()).startsWith("application/problem+json");
		assertThat(refused.json().path("field").asText()).isEqualTo("target");
		assertThat(refused.body()).contains("hooks").contains("inventory");
		assertThat(this.api.get("scanner", "/api/v1/identities/" + identity).status()).isEqualTo(404);
	}

	@Test
	void shouldRefuseMovingAnIdentityToAnotherTarget() {
		String identity = "svc-stay-" + UUID.randomUUID();
		assertThat(upsert(identity, null).status()).isEqualTo(200);

		Reply moved = upsert(identity, "hooks");

		assertThat(moved.status()).as(moved.toString()).isEqualTo(409);
		assertThat(moved.json().path("field").asText()).isEqualTo("target");
		assertThat(moved.json().path("rule").asText()).isEqualTo("gated-state");
		assertThat(this.api.get("scanner", "/api/v1/identities/" + identity).json().path("target").asText())
			.isEqualTo("inventory");
	}

	@Test
	void shouldCarryOutAnApprovedRevocationOnTheIdentitysTarget() {
		String identity = "svc-hooked-" + UUID.randomUUID();
		String credential = "token-" + identity;
		assertThat(upsert(identity, "hooks").status()).isEqualTo(200);
		Reply started = this.api.post("scanner", "/api/v1/responses", Map.of("playbook", "credential-revocation",
				"identity", identity, "credential", credential, "summary", "Token in a public gist", "source",
				"gist-scanner", "severity", "high", "environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply approved = this.api.post("alice", "/api/v1/responses/" + id + "/decision", Map.of("decision", "APPROVE",
				"reason", "Leaked token", "fingerprint", awaiting.path("stagedAction").path("fingerprint").asText()));

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVED)
			.anySatisfy(call -> {
				assertThat(call.path("phase").asText()).isEqualTo("apply");
				assertThat(call.path("responseId").asText()).isEqualTo(id);
				assertThat(call.path("action").path("type").asText()).isEqualTo("credential.disable");
				assertThat(call.path("action").path("target").asText()).isEqualTo(credential);
			}));
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		JsonNode stored = this.api.get("scanner", "/api/v1/identities/" + identity).json();
		assertThat(stored.path("credentials").get(0).path("status").asText())
			.as("the target holds the credential; Countersign's tables are not what changed").isEqualTo("ACTIVE");
	}

	private Reply upsert(String identity, String target) {
		Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("owner", "payments-team", "environment",
				"staging", "privileges", List.of("repo:write"), "credentials",
				List.of(Map.of("id", "token-" + identity, "kind", "ACCESS_TOKEN", "fingerprint",
						StagedAction.sha256("v1 " + identity)))));
		if (target != null) {
			body.put("target", target);
		}
		return this.api.put("scanner", "/api/v1/identities/" + identity, body);
	}

	private static HttpServer receiver() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/hook", exchange -> {
				RECEIVED.add(MAPPER.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
				exchange.sendResponseHeaders(200, -1);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
