package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A detection that joins an open response is a request for the same action: its author must not approve it, on the
 * decision API as through engine-rest.
 */
@HttpIntegrationTest
class JoinedDetectionSeparationIntegrationTest {

	/** Integrator and platform owner at once: reports findings, may approve other people's. */
	private static final String JOY = "joy";

	private static final ObjectMapper MAPPER = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	IdentityService identityService;

	ApiClient api;

	final String identity = "svc-joined-" + UUID.randomUUID();

	final String credential = "token-joined-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		if (this.identityService.createUserQuery().userId(JOY).count() == 0) {
			User user = this.identityService.newUser(JOY);
			user.setFirstName(JOY);
			user.setLastName("Test");
			user.setPassword(JOY);
			this.identityService.saveUser(user);
			this.identityService.createMembership(JOY, "integrators");
			this.identityService.createMembership(JOY, "platform-owners");
		}
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-it", "environment", "production", "privileges", List.of("repo:write"),
						"consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", false)),
						"credentials", List.of(Map.of("id", this.credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 " + this.credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@Test
	void shouldRefuseJoinedDetectorApprovingTheResponseItJoined() {
		Reply started = this.api.post("scanner", "/api/v1/responses", detection("github-secret-scanning"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		String fingerprint = this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL")
			.path("stagedAction")
			.path("fingerprint")
			.asText();

		Reply joined = this.api.post(JOY, "/api/v1/responses", detection("gist-scanner"));
		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
		assertThat(joined.json().path("joined").asBoolean()).isTrue();
		assertThat(joined.json().path("id").asText()).isEqualTo(id);

		Reply viaApi = decide(JOY, id, fingerprint);
		assertThat(viaApi.status()).as(viaApi.toString()).isEqualTo(403);
		assertThat(viaApi.contentType()).startsWith("application/problem+json");
		assertThat(viaApi.body()).contains("'not-requester'");
		Reply viaEngineRest = completeThroughEngineRest(JOY, id, fingerprint);
		assertThat(viaEngineRest.status()).as(viaEngineRest.toString()).isEqualTo(403);
		assertThat(viaEngineRest.body()).contains("'not-requester'");

		JsonNode response = this.api.get("scanner", "/api/v1/responses/" + id).json();
		assertThat(response.path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(response.path("decisions")).isEmpty();
		List<JsonNode> refused = ledger(id).stream()
			.filter(entry -> "REFUSED".equals(entry.path("type").asText()))
			.toList();
		assertThat(refused).hasSize(2).allSatisfy(entry -> {
			assertThat(entry.path("actor").asText()).isEqualTo(JOY);
			assertThat(entry.path("data").path("rule").asText()).isEqualTo("not-requester");
		});

		// Someone who only approves still can: the rule is about the joiner, not the response.
		Reply bob = decide("bob", id, fingerprint);
		assertThat(bob.status()).as(bob.toString()).isIn(200, 204);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
	}

	private Map<String, Object> detection(String source) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", this.identity);
		body.put("credential", this.credential);
		body.put("summary", "Key seen by " + source);
		body.put("source", source);
		body.put("severity", "high");
		body.put("environment", "production");
		return body;
	}

	private Reply decide(String user, String responseId, String fingerprint) {
		return this.api.post(user, "/api/v1/responses/" + responseId + "/decision",
				Map.of("decision", "APPROVE", "reason", "Consumers are ready", "fingerprint", fingerprint));
	}

	private Reply completeThroughEngineRest(String user, String responseId, String fingerprint) {
		String engineRest = "/engine-rest/engine/" + this.processEngine.getName();
		Reply tasks = this.api.get("bob", engineRest + "/task?processInstanceBusinessKey=" + responseId);
		assertThat(tasks.json()).as(tasks.toString()).hasSize(1);
		String taskId = tasks.json().get(0).path("id").asText();
		return this.api.post(user, engineRest + "/task/" + taskId + "/submit-form",
				Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason",
						Map.of("value", "Consumers are ready"), "approvedFingerprint", Map.of("value", fingerprint))));
	}

	private List<JsonNode> ledger(String responseId) {
		Reply reply = this.api.get("audrey", "/api/v1/audit?response=" + responseId);
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
