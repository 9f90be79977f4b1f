package io.countersign.inventory;

import java.time.Duration;
import java.util.ArrayList;
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
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The integrator ({@code scanner}) tries to undo or pre-empt gated changes through {@code PUT /api/v1/identities/{id}}:
 * each attempt is refused with a problem naming the field, the identity reads back unchanged, and the attempt is in
 * the ledger under the identity's subject with the scanner as actor.
 */
@HttpIntegrationTest
class InventoryUpsertIntegrationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	ApiClient api;

	String identity = "svc-upsert-" + UUID.randomUUID();

	String token = "token-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		Reply created = this.api.put("scanner", path(), report("production", "admin", "ACTIVE",
				List.of("repo:read", "repo:write", "deploy:run")));
		assertThat(created.status()).as(created.toString()).isEqualTo(200);
	}

	/** The full identity as a scanner sends it on every run. */
	private Map<String, Object> report(String environment, String privilegeLevel, String tokenStatus,
			List<String> privileges) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("owner", "team-it");
		body.put("description", "upsert test identity");
		body.put("environment", environment);
		if (privilegeLevel != null) {
			body.put("privilegeLevel", privilegeLevel);
		}
		body.put("privileges", privileges);
		body.put("consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", false),
				Map.of("name", "storefront", "customerFacing", true)));
		Map<String, Object> token = new LinkedHashMap<>();
		token.put("id", this.token);
		token.put("kind", "ACCESS_TOKEN");
		token.put("fingerprint", StagedAction.sha256("v1 " + this.token));
		token.put("createdBy", "bob");
		if (tokenStatus != null) {
			token.put("status", tokenStatus);
		}
		body.put("credentials", List.of(token));
		return body;
	}

	private Map<String, Object> report() {
		return report("production", "admin", null, List.of("repo:read", "repo:write", "deploy:run"));
	}

	private String path() {
		return "/api/v1/identities/" + this.identity;
	}

	private JsonNode stored() {
		Reply reply = this.api.get("scanner", path());
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	/** PUTs the report as the scanner and checks the refusal, that nothing was stored, and the ledger entry. */
	private JsonNode assertRefused(Map<String, Object> report, String field, String rule) {
		JsonNode before = stored();
		Reply reply = this.api.put("scanner", path(), report);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(409);
		assertThat(reply.contentType()).startsWith("application/problem+json");
		JsonNode problem = reply.json();
		assertThat(problem.path("field").asText()).isEqualTo(field);
		assertThat(problem.path("rule").asText()).isEqualTo(rule);
		assertThat(problem.path("detail").asText()).contains(field).contains("Nothing was stored");
		assertThat(stored()).isEqualTo(before);
		assertThat(problem.path("ledgerSubject").asText()).isEqualTo(UpsertLedger.subject(this.identity));
		JsonNode entry = lastLedgerEntry(UpsertLedger.subject(this.identity));
		assertThat(entry.path("type").asText()).isEqualTo("INVENTORY_REFUSED");
		assertThat(entry.path("actor").asText()).isEqualTo("scanner");
		assertThat(entry.path("data").path("field").asText()).isEqualTo(field);
		assertThat(entry.path("data").path("rule").asText()).isEqualTo(rule);
		assertThat(entry.path("data").path("changes")).anySatisfy(
				change -> assertThat(change.path("field").asText()).isEqualTo(field));
		return entry;
	}

	private List<JsonNode> ledger(String subject) {
		Reply reply = this.api.get("scanner", "/api/v1/audit?response=" + subject);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		List<JsonNode> entries = new ArrayList<>();
		for (String line : reply.body().split("\n")) {
			try {
				entries.add(JSON.readTree(line));
			}
			catch (java.io.IOException ex) {
				throw new IllegalStateException(ex);
			}
		}
		return entries;
	}

	private JsonNode lastLedgerEntry(String subject) {
		List<JsonNode> entries = ledger(UpsertLedger.subject(this.identity));
		return entries.get(entries.size() - 1);
	}

	private String start(String playbook, String credential, Map<String, Object> evidence) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", playbook);
		body.put("identity", this.identity);
		if (credential != null) {
			body.put("credential", credential);
		}
		body.put("summary", "Upsert test of " + playbook);
		body.put("source", "integration-test");
		body.put("severity", "high");
		body.put("environment", "production");
		body.put("evidence", evidence);
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private void approve(String user, String id) {
		JsonNode response = this.api.awaitResponseStatus(user, id, "AWAITING_APPROVAL");
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(id)
				.taskDefinitionKey("Task_Approve")
				.count() == 1);
		Reply decided = this.api.post(user, "/api/v1/responses/" + id + "/decision", Map.of("decision", "APPROVE",
				"reason", "Checked the blast radius", "fingerprint",
				response.path("stagedAction").path("fingerprint").asText()));
		assertThat(decided.status()).as(decided.toString()).isEqualTo(200);
	}

	@Test
	void shouldAcceptAScannerRepeatingTheStoredStateAndLedgerEveryReport() {
		Reply repeated = this.api.put("scanner", path(), report());
		assertThat(repeated.status()).as(repeated.toString()).isEqualTo(200);
		Reply again = this.api.put("scanner", path(), report());
		assertThat(again.status()).as(again.toString()).isEqualTo(200);
		Map<String, Object> described = report();
		described.put("description", "now with a better description");
		Reply updated = this.api.put("scanner", path(), described);
		assertThat(updated.status()).as(updated.toString()).isEqualTo(200);

		List<JsonNode> entries = ledger(UpsertLedger.subject(this.identity));
		assertThat(entries).extracting(e -> e.path("type").asText())
			.containsExactly("INVENTORY_REPORTED", "INVENTORY_REPORTED", "INVENTORY_REPORTED", "INVENTORY_REPORTED");
		assertThat(entries.get(0).path("data").path("created").asBoolean()).isTrue();
		assertThat(entries.get(1).path("data").path("changes")).isEmpty();
		assertThat(entries.get(3).path("actor").asText()).isEqualTo("scanner");
		assertThat(entries.get(3).path("data").path("changes")).singleElement().satisfies(change -> {
			assertThat(change.path("field").asText()).isEqualTo("description");
			assertThat(change.path("from").asText()).isEqualTo("upsert test identity");
			assertThat(change.path("to").asText()).isEqualTo("now with a better description");
		});
	}

	@Test
	void shouldRefuseScannerReactivatingRevokedCredentialThroughUpsert() {
		String id = start("credential-revocation", this.token, Map.of("finding", "token in a public gist"));
		approve("alice", id);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(stored().path("credentials").get(0).path("status").asText()).isEqualTo("DISABLED");

		JsonNode entry = assertRefused(report("production", "admin", "ACTIVE",
				List.of("repo:read", "repo:write", "deploy:run")), "credentials[" + this.token + "].status", "gated-state");

		assertThat(entry.path("data").path("changes").get(0).path("from").asText()).isEqualTo("DISABLED");
		assertThat(entry.path("data").path("changes").get(0).path("to").asText()).isEqualTo("ACTIVE");
		assertThat(stored().path("credentials").get(0).path("status").asText()).isEqualTo("DISABLED");
		// The scanner's next run reports what is stored: accepted.
		Reply repeated = this.api.put("scanner", path(), report("production", "admin", "DISABLED",
				List.of("repo:read", "repo:write", "deploy:run")));
		assertThat(repeated.status()).as(repeated.toString()).isEqualTo(200);
	}

	@Test
	void shouldRefuseScannerReleasingQuarantinedIdentityThroughUpsert() {
		String id = start("identity-quarantine", null, Map.of("behaviour", "calls from a new country"));
		approve("alice", id);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(stored().path("status").asText()).isEqualTo("QUARANTINED");

		Map<String, Object> released = report();
		released.put("status", "ACTIVE");
		assertRefused(released, "status", "gated-state");

		assertThat(stored().path("status").asText()).isEqualTo("QUARANTINED");
	}

	@Test
	void shouldRefuseScannerRestoringRemovedPrivilegesThroughUpsert() {
		// One access owner approves a reduction outside production (the demo has one).
		this.identity = "svc-upsert-staging-" + UUID.randomUUID();
		this.token = "token-staging-" + UUID.randomUUID();
		List<String> granted = List.of("repo:read", "repo:write", "deploy:run");
		assertThat(this.api.put("scanner", path(), report("staging", "write", null, granted)).status()).isEqualTo(200);
		String id = start("privilege-reduction", null, Map.of("usedPrivileges", List.of("repo:read")));
		approve("carol", id);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(stored().path("privileges")).extracting(JsonNode::asText).containsExactly("repo:read");

		assertRefused(report("staging", "write", null, granted), "privileges", "gated-state");

		assertThat(stored().path("privileges")).extracting(JsonNode::asText).containsExactly("repo:read");
	}

	@Test
	void shouldRefuseScannerAddingIamAdminThroughUpsert() {
		JsonNode entry = assertRefused(report("production", "admin", null,
				List.of("repo:read", "repo:write", "deploy:run", "iam:admin")), "privileges", "gated-state");

		assertThat(entry.path("detail").asText()).contains("adding [iam:admin]");
		assertThat(stored().path("privileges")).extracting(JsonNode::asText).doesNotContain("iam:admin");
	}

	@Test
	void shouldRefuseScannerQuarantiningRevokingOrStrippingWithoutAResponse() {
		Map<String, Object> quarantined = report();
		quarantined.put("status", "QUARANTINED");
		assertRefused(quarantined, "status", "gated-state");
		assertRefused(report("production", "admin", "REVOKED", List.of("repo:read", "repo:write", "deploy:run")),
				"credentials[" + this.token + "].status", "gated-state");
		assertRefused(report("production", "admin", null, List.of()), "privileges", "gated-state");
		Map<String, Object> withoutToken = report();
		withoutToken.put("credentials", List.of());
		assertRefused(withoutToken, "credentials[" + this.token + "]", "gated-state");
		Map<String, Object> rotated = report();
		rotated.put("credentials", List.of(Map.of("id", this.token, "kind", "ACCESS_TOKEN", "fingerprint",
				StagedAction.sha256("v2 " + this.token))));
		assertRefused(rotated, "credentials[" + this.token + "].fingerprint", "gated-state");

		JsonNode identity = stored();
		assertThat(identity.path("status").asText()).isEqualTo("ACTIVE");
		assertThat(identity.path("credentials").get(0).path("status").asText()).isEqualTo("ACTIVE");
		assertThat(identity.path("credentials").get(0).path("versions")).hasSize(1);
		assertThat(identity.path("privileges")).hasSize(3);
	}

	@Test
	void shouldRefuseScannerLoweringPrivilegeLevelEnvironmentOrCreatedBy() {
		assertRefused(report("production", "read", null, List.of("repo:read", "repo:write", "deploy:run")),
				"privilegeLevel", "policy-input-never-weaker");
		assertRefused(report("development", "admin", null, List.of("repo:read", "repo:write", "deploy:run")),
				"environment", "policy-input-never-weaker");
		Map<String, Object> otherCreator = report();
		otherCreator.put("credentials", List.of(Map.of("id", this.token, "kind", "ACCESS_TOKEN", "createdBy", "alice")));
		assertRefused(otherCreator, "credentials[" + this.token + "].createdBy", "policy-input-never-weaker");
		Map<String, Object> notCustomerFacing = report();
		notCustomerFacing.put("consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", false),
				Map.of("name", "storefront", "customerFacing", false)));
		assertRefused(notCustomerFacing, "consumers[storefront].customerFacing", "policy-input-never-weaker");

		JsonNode identity = stored();
		assertThat(identity.path("privilegeLevel").asText()).isEqualTo("admin");
		assertThat(identity.path("environment").asText()).isEqualTo("production");
		assertThat(identity.path("credentials").get(0).path("createdBy").asText()).isEqualTo("bob");
	}

	@Test
	void shouldAcceptAStricterReportAndNewCredentialsAndConsumers() {
		String other = "svc-stricter-" + UUID.randomUUID();
		Map<String, Object> staging = report("staging", "write", null, List.of("repo:read"));
		staging.put("credentials", List.of());
		assertThat(this.api.put("scanner", "/api/v1/identities/" + other, staging).status()).isEqualTo(200);

		Map<String, Object> stricter = report("production", "admin", null, List.of("repo:read"));
		stricter.put("credentials", List.of(Map.of("id", "new-" + this.token, "kind", "API_KEY")));
		stricter.put("consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", true),
				Map.of("name", "storefront", "customerFacing", true), Map.of("name", "batch", "customerFacing", false)));
		Reply reply = this.api.put("scanner", "/api/v1/identities/" + other, stricter);

		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		assertThat(reply.json().path("environment").asText()).isEqualTo("production");
		assertThat(reply.json().path("privilegeLevel").asText()).isEqualTo("admin");
		assertThat(reply.json().path("credentials")).hasSize(1);
		assertThat(reply.json().path("consumers")).hasSize(3)
			.allSatisfy(c -> assertThat(c.path("customerFacing").asBoolean())
				.isEqualTo(!c.path("name").asText().equals("batch")));
	}

}
