package io.countersign.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.TestIdentities;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An administrator who sees a request creates the approvers it needs, or a requester who can grant memberships makes
 * a friend an approver: neither approval counts. The credential is not rotated, and the ledger names the rule.
 */
@HttpIntegrationTest
class MembershipPredatesRequestIntegrationTest {

	/** Administrator and integrator at once: may grant memberships and report findings. */
	private static final String ROOT = "root";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	IdentityService identityService;

	ApiClient api;

	final String identity = "svc-membership-" + UUID.randomUUID();

	final String credential = "key-membership-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		TestIdentities.user(this.identityService, ROOT, "camunda-admin", "integrators");
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "payments-team", "environment", "production", "privileges", List.of("repo:write"),
						"credentials", List.of(Map.of("id", this.credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 " + this.credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@Test
	void shouldRefuseApproverAddedToTheGroupAfterTheRequest() {
		String id = rotation("scanner");
		String late = user("late");
		assertThat(this.api.send("admin", "PUT", engineRest("/group/platform-owners/members/" + late), null, Map.of())
			.status()).isEqualTo(204);

		Reply refused = approve(late, id);

		assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
		assertThat(refused.body()).contains("'membership-predates-request'");
		assertThat(approve("bob", id).status()).isEqualTo(200);
		assertThat(this.api.get("scanner", "/api/v1/responses/" + id).json().path("status").asText())
			.isEqualTo("AWAITING_APPROVAL");
		assertThat(currentVersion()).isEqualTo(1);
		assertThat(this.api.get("audrey", "/api/v1/audit?response=" + id).body()).contains("REFUSED")
			.contains("membership-predates-request");
	}

	@Test
	void shouldRefuseApproverWhoseMembershipTheRequesterGranted() {
		String friend = user("friend");
		assertThat(this.api.send(ROOT, "PUT", engineRest("/group/platform-owners/members/" + friend), null, Map.of())
			.status()).isEqualTo(204);
		String id = rotation(ROOT);

		Reply refused = approve(friend, id);

		assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
		assertThat(refused.body()).contains("'membership-predates-request'").contains("requester");
		assertThat(currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldRefuseAdministratorWhoMadeThemselvesAnApproverLongBeforeTheRequest() {
		String self = user("self-made");
		this.identityService.createMembership(self, "camunda-admin");
		assertThat(this.api.send(self, "PUT", engineRest("/group/platform-owners/members/" + self), null, Map.of())
			.status()).isEqualTo(204);
		String id = rotation("scanner");

		Reply refused = approve(self, id);

		assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
		assertThat(refused.body()).contains("'membership-predates-request'").contains("themselves");
		assertThat(currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldRefuseAgentReviewerAddedToTheGroupAfterTheToolCallRequest() {
		Reply asked = this.api.post("research-bot", "/api/v1/agent-actions",
				"{\"agent\":\"research-bot\",\"tool\":\"crm.export\",\"arguments\":{\"customer\":\"ACME\"},"
						+ "\"purpose\":\"Export\",\"scope\":\"crm:read\",\"durationSeconds\":300}");
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		String id = asked.json().path("id").asText();
		String late = user("late-reviewer");
		assertThat(this.api.send("admin", "PUT", engineRest("/group/agent-reviewers/members/" + late), null, Map.of())
			.status()).isEqualTo(204);
		String task = this.api.get(late, engineRest("/task?processInstanceBusinessKey=" + id)).json().get(0)
			.path("id").asText();

		Reply refused = this.api.post(late, engineRest("/task/" + task + "/complete"), Map.of("variables",
				Map.of("decision", Map.of("value", "APPROVE"), "reason", Map.of("value", "fine"))));

		assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
		assertThat(refused.body()).contains("membership-predates-request");
		assertThat(this.api.get("research-bot", "/api/v1/agent-actions/" + id).json().path("status").asText())
			.isEqualTo("PENDING");
	}

	private String rotation(String requester) {
		Reply started = this.api.post(requester, "/api/v1/responses",
				Map.of("playbook", "secret-rotation", "identity", this.identity, "credential", this.credential,
						"summary", "Key seen in a public gist", "source", "gist-scanner", "severity", "critical",
						"environment", "production"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		return id;
	}

	private Reply approve(String user, String id) {
		String fingerprint = this.api.get("scanner", "/api/v1/responses/" + id).json().path("stagedAction")
			.path("fingerprint").asText();
		return this.api.post(user, "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "looks right", "fingerprint", fingerprint));
	}

	private String user(String prefix) {
		String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
		Reply created = this.api.post("admin", engineRest("/user/create"),
				Map.of("profile", Map.of("id", id, "firstName", prefix, "lastName", "Test"), "credentials",
						Map.of("password", id)));
		assertThat(created.status()).as(created.toString()).isEqualTo(204);
		return id;
	}

	private int currentVersion() {
		return this.api.get("scanner", "/api/v1/identities/" + this.identity).json().path("credentials").get(0)
			.path("currentVersion").asInt();
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

}
