package io.countersign.connector.keycloak;

import static io.countersign.connector.keycloak.KeycloakTestRealm.API_CLIENT;
import static io.countersign.connector.keycloak.KeycloakTestRealm.CLIENT_ROLE;
import static io.countersign.connector.keycloak.KeycloakTestRealm.REALM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.ActionConnector;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Inventory;
import io.countersign.receipt.IssuedReceipt;
import io.countersign.receipt.ReceiptRequest;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.receipt.Receipts;
import io.countersign.secret.SecretDeliveryException;
import io.countersign.secret.SecretSink;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.KeycloakServer;
import io.countersign.target.TargetChanges;
import io.countersign.target.Targets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A {@code keycloak} target configured like an operator would ({@code countersign.targets.kc.*}) on a realm of this
 * class's own in the real Keycloak ({@link KeycloakServer}), identities on it upserted or synced through the API, and
 * the real playbooks approved by the demo users: their actions land on real service-account clients, and the outcome
 * is proven by token requests made independently of the code under test. The connector-level tests drive apply,
 * verify and rollback with receipts from the real {@link Receipts} to play what the playbooks cannot be timed to show.
 *
 * <p>
 * All Keycloak connector tests are in this one class: failsafe gives each class its own JVM, and each JVM starts
 * Keycloak again. Every test makes its own clients, named uniquely, in the shared realm; a test that needs a realm
 * rotation policy gets a second realm of its own.
 */
@HttpIntegrationTest
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class KeycloakConnectorIntegrationTest {

	private static final Path SECRETS = temporaryDirectory();

	private static final ObjectMapper JSON = new ObjectMapper();

	private static KeycloakTestRealm realm;

	@LocalServerPort
	int port;

	@Autowired
	Targets targets;

	@Autowired
	Receipts receipts;

	@Autowired
	ReceiptVerifier receiptVerifier;

	@Autowired
	TargetChanges changes;

	@Autowired
	SecretSink sink;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Autowired
	ApplicationContext context;

	private ApiClient api;

	@DynamicPropertySource
	static void target(DynamicPropertyRegistry registry) {
		registry.add("countersign.targets.kc.type", () -> "keycloak");
		registry.add("countersign.targets.kc.url", () -> realm().masterAdminTarget().url());
		registry.add("countersign.targets.kc.realm", () -> realm().name());
		registry.add("countersign.targets.kc.username", () -> KeycloakServer.ADMIN_USERNAME);
		registry.add("countersign.targets.kc.password", () -> KeycloakServer.ADMIN_PASSWORD);
		registry.add("countersign.secrets.file.directory", SECRETS::toString);
	}

	/** Created on first use: the dynamic properties need it before any test method runs. */
	private static synchronized KeycloakTestRealm realm() {
		if (realm == null) {
			realm = KeycloakTestRealm.create(KeycloakServer.shared());
		}
		return realm;
	}

	@AfterAll
	static void deleteRealm() {
		if (realm != null) {
			realm.close();
		}
	}

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	// Playbooks through the HTTP API

	@Test
	void shouldRefuseTheClientsTokenWhenARevocationIsApproved() {
		String client = uniqueClientId("revoked");
		String secret = realm().createServiceAccount(client);
		upsert(client);
		assertThat(realm().token(client, secret).status()).isEqualTo(200);
		String id = startRevocation(client);
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply approved = decide("alice", id, "APPROVE", awaiting);

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(realm().token(client, secret).status()).isEqualTo(401);
		assertThat(realm().enabled(client)).isFalse();
	}

	@Test
	void shouldRotateTheClientSecretThroughTheSecretRotationPlaybook() throws IOException {
		String client = uniqueClientId("rotated");
		String leaked = realm().createServiceAccount(client);
		upsert(client);
		Reply started = this.api.post("scanner", "/api/v1/responses", Map.of("playbook", "secret-rotation", "identity",
				client, "credential", client, "summary", "Client secret in a public gist", "source", "gist-scanner",
				"severity", "high", "environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("bob", id, "AWAITING_APPROVAL");

		Reply approved = decide("bob", id, "APPROVE", awaiting);
		JsonNode requests = approved.json().path("approvals");
		if (approved.status() == 200 && "OPEN".equals(requests.get(requests.size() - 1).path("status").asText())) {
			// The policy wants a second platform owner for this one.
			approved = decide("paul", id, "APPROVE", awaiting);
		}

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		String delivered = Files.readString(SECRETS.resolve("kc").resolve(client), StandardCharsets.UTF_8);
		assertThat(realm().token(client, delivered).status()).as("the delivered secret").isEqualTo(200);
		assertThat(realm().token(client, leaked).status()).as("the leaked secret").isEqualTo(401);
		assertThat(tablesHolding(delivered)).isEmpty();
	}

	@Test
	void shouldLeaveTheClientAsItWasWhenARevocationIsRejected() {
		String client = uniqueClientId("kept");
		String secret = realm().createServiceAccount(client);
		upsert(client);
		String id = startRevocation(client);
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply rejected = decide("alice", id, "REJECT", awaiting);

		assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "REJECTED");
		assertThat(realm().enabled(client)).isTrue();
		assertThat(realm().token(client, secret).status()).isEqualTo(200);
		assertThat(realm().currentSecret(client)).isEqualTo(secret);
		assertThat(this.jdbc.sql("select count(*) from target_change where target = 'kc' and subject = ?")
			.param(client)
			.query(Long.class)
			.single()).as("nothing journalled: the client was never touched").isZero();
	}

	@Test
	void shouldDropTheUnusedClientRoleFromTheTokenWhenAReductionIsApproved() {
		String client = uniqueClientId("reduced");
		String secret = realm().createServiceAccount(client);
		String clientRole = API_CLIENT + "/" + CLIENT_ROLE;
		upsert(client, List.of(REALM_ROLE, clientRole));
		assertThat(realm().token(client, secret).clientRoles(API_CLIENT)).containsExactly(CLIENT_ROLE);
		Reply started = this.api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "privilege-reduction", "identity", client, "summary", "refunds unused for 90 days",
						"source", "ciem", "severity", "medium", "environment", "staging", "evidence",
						Map.of("usedPrivileges", List.of(REALM_ROLE))));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("carol", id, "AWAITING_APPROVAL");
		assertThat(awaiting.path("stagedAction").path("parameters").path("remove").toString()).contains(clientRole);

		Reply approved = decide("carol", id, "APPROVE", awaiting);

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		KeycloakTestRealm.Token token = realm().token(client, secret);
		assertThat(token.status()).isEqualTo(200);
		assertThat(token.clientRoles(API_CLIENT)).isEmpty();
		assertThat(token.realmRoles()).contains(REALM_ROLE);
		assertThat(realm().directRoles(client)).contains(REALM_ROLE).doesNotContain(clientRole);
	}

	@Test
	void shouldDisableTheClientWhenAQuarantineIsApproved() {
		String client = uniqueClientId("quarantined");
		String secret = realm().createServiceAccount(client);
		upsert(client);
		Reply started = this.api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "identity-quarantine", "identity", client, "summary", "Tokens asked for at 3 am",
						"source", "soc-anomaly", "severity", "high", "environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply approved = decide("alice", id, "APPROVE", awaiting);

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(realm().enabled(client)).isFalse();
		assertThat(realm().token(client, secret).status()).isEqualTo(401);
	}

	@Test
	void shouldImportServiceAccountClientsAndReportARoleGrantedOutsideCountersignAsDrift() {
		String client = uniqueClientId("synced");
		String secret = realm().createServiceAccount(client);

		Reply first = this.api.post("admin", "/api/v1/targets/kc/sync", Map.of());

		assertThat(first.status()).as(first.toString()).isEqualTo(200);
		assertThat(first.json().path("imported").toString()).contains("\"" + client + "\"");
		assertThat(first.json().path("imported").toString()).as("a client without a service account is no NHI")
			.doesNotContain("\"" + API_CLIENT + "\"");
		JsonNode imported = this.api.get("scanner", "/api/v1/identities/" + client).json();
		assertThat(imported.path("target").asText()).isEqualTo("kc");
		// Keycloak maps the realm's default roles to every service account directly, so they are a privilege too.
		List<String> privileges = new ArrayList<>();
		imported.path("privileges").forEach(privilege -> privileges.add(privilege.asText()));
		assertThat(privileges).containsExactlyInAnyOrder(API_CLIENT + "/" + CLIENT_ROLE, REALM_ROLE,
				"default-roles-" + realm().name());
		assertThat(imported.path("credentials").get(0).path("id").asText()).isEqualTo(client);
		assertThat(imported.path("credentials").get(0).path("kind").asText()).isEqualTo("CLIENT_SECRET");
		assertThat(imported.path("credentials").get(0).path("status").asText()).isEqualTo("ACTIVE");
		// An administrator grants the client another role in the console, behind Countersign's back.
		String role = "audit:write-" + UUID.randomUUID().toString().substring(0, 8);
		realm().createRealmRole(role, null);
		realm().mapRealmRole(client, role);

		Reply second = this.api.post("admin", "/api/v1/targets/kc/sync", Map.of());

		assertThat(second.status()).as(second.toString()).isEqualTo(200);
		List<String> drifted = new ArrayList<>();
		second.json().path("drift").forEach(drift -> {
			if (client.equals(drift.path("identity").asText())) {
				drifted.add(drift.path("field").asText());
			}
		});
		assertThat(drifted).containsExactly("privileges");
		assertThat(imported.path("credentials").get(0).toString()).as("no secret, only which version")
			.doesNotContain(secret);
		assertThat(this.api.get("scanner", "/api/v1/identities/" + client).json().path("privileges").toString())
			.as("the inventory keeps what approvals made it")
			.doesNotContain(role);
		assertThat(first.body() + second.body()).doesNotContain(secret);
	}

	@Test
	void shouldRefuseAnActionTypeTheTargetCannotTakeAtStage() {
		String client = uniqueClientId("isolated");
		realm().createServiceAccount(client);
		upsert(client);
		ActionConnector connector = this.targets.named("kc");

		assertThatThrownBy(() -> connector.stage(new ConnectorCall(UUID.randomUUID().toString(),
				new StagedAction(ActionTypes.WORKLOAD_ISOLATE, client,
						JSON.valueToTree(Map.of("identity", client, "workload", "etl", "customerFacing", false))),
				"stage-" + UUID.randomUUID(), null)))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("workload.isolate")
			.hasMessageContaining("'kc'");
	}

	// The connector, driven directly

	@Test
	void shouldDeliverTheRotatedSecretOnlyToTheSinkAndEndTheOldOneWhenTheRealmKeepsRotatedSecrets(
			CapturedOutput output) throws IOException {
		try (KeycloakTestRealm rotating = KeycloakTestRealm.create(KeycloakServer.shared())) {
			rotating.enableRotationPolicy(6000, 600);
			String client = rotating.clientId();
			String old = rotating.secret();
			upsert(client);
			ActionConnector connector = connector(rotating, this.sink);
			ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_ROTATE, client));

			connector.stage(call);
			connector.apply(call);
			connector.verify(call);

			Path file = SECRETS.resolve("kc").resolve(client);
			String fresh = Files.readString(file, StandardCharsets.UTF_8);
			assertThat(fresh).isNotEqualTo(old).isEqualTo(rotating.currentSecret(client));
			assertThat(rotating.token(client, fresh).status()).as("the new secret").isEqualTo(200);
			assertThat(rotating.token(client, old).status()).as("the old secret, ended by the apply").isEqualTo(401);
			assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().afterState())
				.contains(StagedAction.sha256(fresh));
			assertThat(tablesHolding(fresh)).as("tables holding the new secret").isEmpty();
			assertThat(tablesHolding(old)).as("tables holding the old secret").isEmpty();
			assertThat(output.getAll()).doesNotContain(fresh).doesNotContain(old);

			connector.rollback(call);

			String replacement = Files.readString(file, StandardCharsets.UTF_8);
			assertThat(replacement).as("undo rotates again, to a new secret in the sink").isNotEqualTo(fresh);
			assertThat(rotating.token(client, replacement).status()).isEqualTo(200);
			assertThat(rotating.token(client, fresh).status()).isEqualTo(401);
			assertThat(tablesHolding(replacement)).isEmpty();
			assertThat(output.getAll()).doesNotContain(replacement);
		}
	}

	@Test
	void shouldRegenerateOnceWhenApplyIsRetriedAfterACrashBetweenChangingAndRecording() throws IOException {
		String client = uniqueClientId("crashed");
		String old = realm().createServiceAccount(client);
		upsert(client);
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_ROTATE, client));
		// The sink is down on the first attempt: Keycloak holds a new secret, and nothing recorded the rotation.
		AtomicReference<String> firstAttempt = new AtomicReference<>();
		SecretSink failingOnce = (target, credential, material) -> {
			if (firstAttempt.compareAndSet(null, material.fingerprint())) {
				throw new SecretDeliveryException("the sink is down", null);
			}
			this.sink.deliver(target, credential, material);
		};
		ActionConnector connector = connector(realm(), failingOnce);

		assertThatThrownBy(() -> inTransaction(() -> connector.apply(call)))
			.isInstanceOf(SecretDeliveryException.class);
		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.PENDING);
		assertThat(StagedAction.sha256(realm().currentSecret(client))).isEqualTo(firstAttempt.get());

		inTransaction(() -> connector.apply(call));

		String delivered = Files.readString(SECRETS.resolve("kc").resolve(client), StandardCharsets.UTF_8);
		assertThat(StagedAction.sha256(delivered)).as("the secret of the first attempt, not a second regeneration")
			.isEqualTo(firstAttempt.get());
		assertThat(realm().currentSecret(client)).isEqualTo(delivered);
		assertThat(realm().token(client, delivered).status()).isEqualTo(200);
		assertThat(realm().token(client, old).status()).isEqualTo(401);
		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.APPLIED);
		assertThat(receiptUses(call)).isEqualTo(1);
		connector.verify(call);
		inTransaction(() -> connector.apply(call));
		assertThat(realm().currentSecret(client)).as("a retry of the recorded apply changes nothing")
			.isEqualTo(delivered);
	}

	@Test
	void shouldRollBackTheReductionOnTheClientWhenVerifyFindsTheRoleBackInTheToken() {
		String client = uniqueClientId("composite");
		String secret = realm().createServiceAccount(client);
		String clientRole = API_CLIENT + "/" + CLIENT_ROLE;
		upsert(client, List.of(REALM_ROLE, clientRole));
		ActionConnector connector = this.targets.named("kc");
		ConnectorCall call = call(new StagedAction(ActionTypes.PRIVILEGES_REDUCE, client, JSON.valueToTree(
				Map.of("identity", client, "remove", List.of(clientRole), "keep", List.of(REALM_ROLE)))));
		connector.stage(call);
		connector.apply(call);
		assertThat(realm().directRoles(client)).doesNotContain(clientRole);
		// Behind the connector's back: a composite role that carries the removed role is granted to the client.
		String bundle = "bundle-" + UUID.randomUUID().toString().substring(0, 8);
		realm().createRealmRole(bundle, CLIENT_ROLE);
		realm().mapRealmRole(client, bundle);

		assertThatThrownBy(() -> connector.verify(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("tokens of client '" + client + "' still carry [" + clientRole + "]");
		connector.rollback(call);

		assertThat(realm().directRoles(client)).as("the removed role is mapped directly again").contains(clientRole);
		assertThat(realm().token(client, secret).clientRoles(API_CLIENT)).containsExactly(CLIENT_ROLE);
		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.UNDONE);
	}

	@Test
	void shouldRefuseToUndoTheDisableWhenTheClientWasEnabledSince() {
		String client = uniqueClientId("reenabled");
		String secret = realm().createServiceAccount(client);
		upsert(client);
		ActionConnector connector = this.targets.named("kc");
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, client));
		connector.apply(call);
		connector.verify(call);
		assertThat(realm().token(client, secret).status()).isEqualTo(401);
		realm().setEnabled(client, true);

		assertThatThrownBy(() -> connector.rollback(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("changed since");

		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.APPLIED);
		assertThat(realm().enabled(client)).isTrue();
	}

	// Helpers

	private String startRevocation(String client) {
		Reply started = this.api.post("scanner", "/api/v1/responses", Map.of("playbook", "credential-revocation",
				"identity", client, "credential", client, "summary", "Client secret in a public gist", "source",
				"gist-scanner", "severity", "high", "environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private Reply decide(String user, String id, String decision, JsonNode awaiting) {
		return this.api.post(user, "/api/v1/responses/" + id + "/decision", Map.of("decision", decision, "reason",
				decision + " in a test", "fingerprint", awaiting.path("stagedAction").path("fingerprint").asText()));
	}

	private void upsert(String client) {
		upsert(client, List.of(REALM_ROLE, API_CLIENT + "/" + CLIENT_ROLE));
	}

	/** The identity as a sync would name it: after its one client. */
	private void upsert(String client, List<String> privileges) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("owner", "payments-team");
		body.put("environment", "staging");
		body.put("privileges", privileges);
		body.put("credentials", List.of(Map.of("id", client, "kind", "CLIENT_SECRET", "fingerprint",
				StagedAction.sha256("as reported by a scanner " + client))));
		body.put("target", "kc");
		Reply stored = this.api.put("scanner", "/api/v1/identities/" + client, body);
		assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
	}

	private static String uniqueClientId(String purpose) {
		return "svc-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private StagedAction credentialAction(String type, String client) {
		return new StagedAction(type, client, JSON.valueToTree(Map.of("identity", client, "credential", client)));
	}

	private ConnectorCall call(StagedAction action) {
		String responseId = UUID.randomUUID().toString();
		IssuedReceipt receipt = this.receipts.issue(new ReceiptRequest(responseId, action.fingerprint(),
				List.of("bob"), "one-of:platform-owners", null, null));
		return new ConnectorCall(responseId, action, responseId + ":apply:" + UUID.randomUUID(), receipt.token());
	}

	/** A connector named {@code kc} like the configured one, on the given realm and sink. */
	private KeycloakConnector connector(KeycloakTestRealm on, SecretSink secretSink) {
		return new KeycloakConnector("kc", new KeycloakAdmin(on.masterAdminTarget(), JSON, Clock.systemUTC()),
				this.changes, this.receiptVerifier, secretSink, this.context.getBeanProvider(Inventory.class),
				this.transactionManager, JSON);
	}

	private void inTransaction(Runnable work) {
		new TransactionTemplate(this.transactionManager).executeWithoutResult(status -> work.run());
	}

	private long receiptUses(ConnectorCall call) {
		String receiptId = this.receiptVerifier.verifyForUndo(call.receipt(), call.responseId(),
				call.action().fingerprint()).id();
		return this.jdbc.sql("select count(*) from receipt_use where receipt_id = ?")
			.param(receiptId)
			.query(Long.class)
			.single();
	}

	/** Every text column of every table of Countersign's database (engine tables included) that holds {@code text}. */
	private List<String> tablesHolding(String text) {
		List<Map<String, Object>> columns = this.jdbc
			.sql("select table_name, column_name from information_schema.columns where table_schema = 'PUBLIC' "
					+ "and data_type like 'CHARACTER%'")
			.query()
			.listOfRows();
		assertThat(columns).hasSizeGreaterThan(50);
		List<String> found = new ArrayList<>();
		for (Map<String, Object> column : columns) {
			String table = (String) column.get("TABLE_NAME");
			String name = (String) column.get("COLUMN_NAME");
			long hits = this.jdbc.sql("select count(*) from \"" + table + "\" where \"" + name + "\" like ?")
				.param("%" + text + "%")
				.query(Long.class)
				.single();
			if (hits > 0) {
				found.add(table + "." + name);
			}
		}
		return found;
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("countersign-kc-secrets");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
