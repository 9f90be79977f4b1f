package io.countersign.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An administrator changes who may approve and what runs, through engine-rest as the Admin webapp does. Each change is
 * in the ledger with its actor, and no password ever is.
 */
@HttpIntegrationTest
class GovernanceLedgerIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	MembershipGrants grants;

	ApiClient api;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldLedgerUsersMembershipsAndAuthorizationsWithTheirActorButNeverAPassword() {
		String user = "mallory-" + UUID.randomUUID().toString().substring(0, 8);
		String password = "Pw-" + UUID.randomUUID();

		Reply created = this.api.post("admin", engineRest("/user/create"), Map.of("profile",
				Map.of("id", user, "firstName", "Mal", "lastName", "Lory", "email", user + "@example.invalid"),
				"credentials", Map.of("password", password)));
		Reply added = this.api.send("admin", "PUT", engineRest("/group/platform-owners/members/" + user), null,
				Map.of());
		Reply granted = this.api.post("admin", engineRest("/authorization/create"), Map.of("type", 1, "permissions",
				List.of("READ"), "userId", user, "resourceType", 6, "resourceId", "*"));
		Reply removed = this.api.send("admin", "DELETE", engineRest("/group/platform-owners/members/" + user), null,
				Map.of());

		assertThat(List.of(created, added, granted, removed)).allSatisfy(
				reply -> assertThat(reply.status()).as(reply.toString()).isIn(200, 204));
		List<JsonNode> entries = ledger();
		assertThat(entries).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("USER_CREATED");
			assertThat(entry.path("actor").asText()).isEqualTo("admin");
			assertThat(entry.path("data").path("user").asText()).isEqualTo(user);
		});
		assertThat(entries).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("MEMBERSHIP_GRANTED");
			assertThat(entry.path("actor").asText()).isEqualTo("admin");
			assertThat(entry.path("data").path("user").asText()).isEqualTo(user);
			assertThat(entry.path("data").path("group").asText()).isEqualTo("platform-owners");
		});
		assertThat(entries).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("AUTHORIZATION_CREATED");
			assertThat(entry.path("data").path("user").asText()).isEqualTo(user);
		});
		assertThat(entries).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("MEMBERSHIP_REVOKED");
			assertThat(entry.path("data").path("user").asText()).isEqualTo(user);
		});
		assertThat(this.api.get("audrey", "/api/v1/audit?after=0&limit=5000").body()).doesNotContain(password);
		assertThat(this.grants.find(user, "platform-owners")).isEmpty();
	}

	@Test
	void shouldRecordWhenAndByWhomAMembershipWasGranted() {
		String user = "newcomer-" + UUID.randomUUID().toString().substring(0, 8);
		this.api.post("admin", engineRest("/user/create"),
				Map.of("profile", Map.of("id", user, "firstName", "New", "lastName", "Comer"), "credentials",
						Map.of("password", "Pw-" + UUID.randomUUID())));

		this.api.send("admin", "PUT", engineRest("/group/platform-owners/members/" + user), null, Map.of());

		assertThat(this.grants.find(user, "platform-owners")).hasValueSatisfying(grant -> {
			assertThat(grant.grantedBy()).isEqualTo("admin");
			assertThat(grant.grantedAt()).isNotNull();
		});
	}

	@Test
	void shouldLedgerEveryDeploymentWithActorAndResourceHashes() throws Exception {
		String key = "governed-" + UUID.randomUUID();
		String bpmn = Bpmn.convertToString(
				Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent().endEvent().done());
		String boundary = "countersign-" + UUID.randomUUID();
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\ngoverned\r\n"
				+ "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"governed.bpmn\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n" + bpmn + "\r\n--" + boundary + "--\r\n";

		Reply deployed = this.api.send("admin", "POST", engineRest("/deployment/create"), body,
				Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));

		assertThat(deployed.status()).as(deployed.toString()).isEqualTo(200);
		String deployment = deployed.json().path("id").asText();
		String hash = "sha256:" + HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(bpmn.getBytes(StandardCharsets.UTF_8)));
		assertThat(ledger()).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("DEPLOYED");
			assertThat(entry.path("actor").asText()).isEqualTo("admin");
			assertThat(entry.path("data").path("deployment").asText()).isEqualTo(deployment);
			assertThat(entry.path("data").path("resources").path("governed.bpmn").asText()).isEqualTo(hash);
		});
	}

	private List<JsonNode> ledger() {
		Reply reply = this.api.get("audrey", "/api/v1/audit?after=0&limit=5000");
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return ApiClient.jsonLines(reply);
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

}
