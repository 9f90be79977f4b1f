package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.ApiClient.Reply;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every gate rule through every channel that completes approval tasks: engine-rest {@code complete}, engine-rest
 * {@code submit-form} (what Tasklist sends for a Camunda Form), and our decision API. The rules live in the engine,
 * so each channel must refuse the same people for the same reasons.
 */
@HttpIntegrationTest
class ApprovalGateChannelsIntegrationTest {

	/** Integrator and platform owner at once: may report a finding, never approve its own. */
	private static final String IVY = "ivy";

	/** Platform owner who owns the identity under test. */
	private static final String OLGA = "olga";

	/** Platform owner who created the credential under test. */
	private static final String CRIS = "cris";

	enum Channel {

		ENGINE_REST_COMPLETE, ENGINE_REST_SUBMIT_FORM, DECISION_API

	}

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	IdentityService identityService;

	ApiClient api;

	final String identity = "svc-gate-" + UUID.randomUUID();

	final String credential = "token-gate-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		user(IVY, "integrators", "platform-owners");
		user(OLGA, "platform-owners");
		user(CRIS, "platform-owners");
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", OLGA, "environment", "production", "privileges", List.of("repo:write"), "consumers",
						List.of(Map.of("name", "storefront", "customerFacing", true)), "credentials",
						List.of(Map.of("id", this.credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 " + this.credential), "createdBy", CRIS))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@ParameterizedTest
	@EnumSource(Channel.class)
	void shouldEnforceEveryRuleThroughEveryChannel(Channel channel) {
		Reply started = this.api.post(IVY, "/api/v1/responses",
				Map.of("playbook", "secret-rotation", "identity", this.identity, "credential", this.credential,
						"summary", "Key seen in a public gist", "source", "gist-scanner", "severity", "critical",
						"environment", "production"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode staged = this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		String fingerprint = staged.path("stagedAction").path("fingerprint").asText();
		assertThat(staged.path("approvals").get(0).path("requiredApprovals").asInt()).isEqualTo(2);

		assertRefused(decide(channel, IVY, id, "APPROVE", "mine, looks fine", fingerprint), 403, "not-requester");
		assertRefused(decide(channel, "admin", id, "APPROVE", "admin override", fingerprint), 403, "candidate-group");
		assertRefused(decide(channel, "alice", id, "APPROVE", "not my group", fingerprint), 403, null);
		assertRefused(decide(channel, OLGA, id, "APPROVE", "my own identity", fingerprint), 403,
				"not-identity-owner");
		assertRefused(decide(channel, CRIS, id, "APPROVE", "I made this key", fingerprint), 403,
				"not-credential-creator");
		assertRefused(decide(channel, "bob", id, "APPROVE", "ok", StagedAction.sha256("another action")), 400,
				"fingerprint-match");
		assertRefused(decide(channel, "bob", id, "APPROVE", " ", fingerprint), 400, "reason-required");
		assertRefused(decide(channel, "bob", id, "MAYBE", "not sure", fingerprint), 400, "decision-required");
		assertThat(this.api.get("scanner", "/api/v1/responses/" + id).json().path("decisions")).isEmpty();

		assertAccepted(decide(channel, "bob", id, "APPROVE", "Consumers are ready", fingerprint));
		assertRefused(decide(channel, "bob", id, "APPROVE", "approving twice", fingerprint), 403,
				"distinct-approvers");
		assertAccepted(decide(channel, "paul", id, "APPROVE", "Second pair of eyes: fine", fingerprint));

		JsonNode done = this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(done.path("decisions").findValuesAsText("approver")).containsExactly("bob", "paul");
		assertThat(done.path("approvals").get(0).path("status").asText()).isEqualTo("APPROVED");
		assertThat(done.path("approvals").get(0).path("policyRule").asText()).isEqualTo("rotate-production-critical");
		assertThat(this.api.get("scanner", "/api/v1/identities/" + this.identity)
			.json()
			.path("credentials")
			.get(0)
			.path("currentVersion")
			.asInt()).isEqualTo(2);
	}

	private Reply decide(Channel channel, String user, String responseId, String decision, String reason,
			String fingerprint) {
		if (channel == Channel.DECISION_API) {
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("decision", decision);
			body.put("reason", reason);
			body.put("fingerprint", fingerprint);
			return this.api.post(user, "/api/v1/responses/" + responseId + "/decision", body);
		}
		// The task is looked up as an approver would see it; a stranger may not even list it.
		Reply tasks = this.api.get("bob", engineRest() + "/task?processInstanceBusinessKey=" + responseId);
		assertThat(tasks.json()).as(tasks.toString()).hasSize(1);
		String taskId = tasks.json().get(0).path("id").asText();
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put("decision", Map.of("value", decision));
		variables.put("reason", Map.of("value", reason));
		variables.put("approvedFingerprint", Map.of("value", fingerprint));
		String operation = channel == Channel.ENGINE_REST_COMPLETE ? "complete" : "submit-form";
		return this.api.post(user, engineRest() + "/task/" + taskId + "/" + operation, Map.of("variables", variables));
	}

	private static void assertRefused(Reply reply, int status, String rule) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
		if (rule != null) {
			assertThat(reply.body()).as(reply.toString()).contains("'" + rule + "'");
		}
	}

	private static void assertAccepted(Reply reply) {
		assertThat(reply.status()).as(reply.toString()).isIn(200, 204);
	}

	private String engineRest() {
		return "/engine-rest/engine/" + this.processEngine.getName();
	}

	private void user(String id, String... groups) {
		if (this.identityService.createUserQuery().userId(id).count() == 0) {
			User user = this.identityService.newUser(id);
			user.setFirstName(id);
			user.setLastName("Test");
			user.setPassword(id);
			this.identityService.saveUser(user);
			for (String group : groups) {
				this.identityService.createMembership(id, group);
			}
		}
	}

}
