package io.countersign.connector.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

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
import io.countersign.secret.SecretSink;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.PostgresTestDatabase;
import io.countersign.target.TargetChanges;
import io.countersign.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

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
 * A {@code postgresql} target configured like an operator would ({@code countersign.targets.pg.*}), identities on it
 * upserted through the API, and the real playbooks approved by the demo users: their actions land on real login
 * roles of the local server. The connector-level tests drive apply, verify and rollback with receipts from the real
 * {@link Receipts} to play what the playbooks cannot be timed to show: a change behind the connector's back between
 * apply and verify, and a crash between changing the role and recording it.
 *
 * <p>
 * The local server trusts every login, so sessions are opened as the roles without a password, and a rotation is
 * verified against the stored SCRAM verifier. Roles are cluster-wide: every test names its own and drops them.
 */
@HttpIntegrationTest
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class PostgresConnectorIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	private static final Path SECRETS = temporaryDirectory();

	private static final ObjectMapper JSON = new ObjectMapper();

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

	private final String prefix = "cs_pgc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";

	private final List<String> createdRoles = new ArrayList<>();

	private final List<Connection> sessions = new ArrayList<>();

	@DynamicPropertySource
	static void target(DynamicPropertyRegistry registry) {
		registry.add("countersign.targets.pg.type", () -> "postgresql");
		registry.add("countersign.targets.pg.jdbc-url", DATABASE::getJdbcUrl);
		registry.add("countersign.targets.pg.username", DATABASE::getUsername);
		registry.add("countersign.targets.pg.password", DATABASE::getPassword);
		registry.add("countersign.secrets.file.directory", SECRETS::toString);
	}

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	@AfterEach
	void dropRoles() throws SQLException {
		for (Connection session : this.sessions) {
			session.close();
		}
		List<String> roles = new ArrayList<>(this.createdRoles);
		Collections.reverse(roles);
		try (Connection admin = admin()) {
			for (String role : roles) {
				try (PreparedStatement terminate = admin.prepareStatement(
						"SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = ?")) {
					terminate.setString(1, role);
					terminate.execute();
				}
				execute(admin, "DROP ROLE IF EXISTS " + PostgresRoles.quote(role));
			}
		}
	}

	// Discovery

	@Test
	void shouldImportLoginRolesAndReportAPasswordChangedOutsideCountersignAsDrift() throws SQLException {
		String group = groupRole("readers");
		String role = loginRole("reporting", group);
		alter(role, "PASSWORD 'set-by-a-dba-0123456789'");

		Reply first = this.api.post("admin", "/api/v1/targets/pg/sync", Map.of());

		assertThat(first.status()).as(first.toString()).isEqualTo(200);
		assertThat(first.json().path("imported").toString()).contains("\"" + role + "\"");
		assertThat(first.json().path("imported").toString()).as("group roles are privileges, not identities")
			.doesNotContain("\"" + group + "\"");
		JsonNode imported = this.api.get("scanner", "/api/v1/identities/" + role).json();
		assertThat(imported.path("target").asText()).isEqualTo("pg");
		assertThat(imported.path("privileges").toString()).isEqualTo("[\"" + group + "\"]");
		assertThat(imported.path("credentials").get(0).path("kind").asText()).isEqualTo("PASSWORD");
		// A DBA changes the password and revokes the login behind Countersign's back.
		alter(role, "PASSWORD 'changed-outside-0123456789' NOLOGIN");

		Reply second = this.api.post("admin", "/api/v1/targets/pg/sync", Map.of());

		assertThat(second.status()).as(second.toString()).isEqualTo(200);
		assertThat(second.json().path("drift").findValuesAsText("field")).contains(
				"credentials[" + role + "].fingerprint", "credentials[" + role + "].status");
		JsonNode kept = this.api.get("scanner", "/api/v1/identities/" + role).json();
		assertThat(kept.path("credentials").get(0).path("status").asText()).isEqualTo("ACTIVE");
		assertThat(second.body()).doesNotContain("changed-outside-0123456789").doesNotContain("set-by-a-dba");
	}

	// Playbooks through the HTTP API

	@Test
	void shouldDisableTheRoleAndEndItsSessionWhenARevocationIsApproved() throws SQLException {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		Connection session = sessionAs(role);
		String id = startRevocation(identity, role);
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply approved = decide("alice", id, "APPROVE", awaiting);

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(canLogin(role)).isFalse();
		assertThat(sessionCount(role)).isZero();
		assertThat(session.isValid(5)).as("the role's open session was terminated").isFalse();
	}

	@Test
	void shouldRotateTheRolesPasswordThroughTheSecretRotationPlaybook() throws Exception {
		String role = loginRole("rotated");
		alter(role, "PASSWORD 'the-leaked-one-0123456789'");
		String identity = upsert(role, List.of());
		Reply started = this.api.post("scanner", "/api/v1/responses", Map.of("playbook", "secret-rotation", "identity",
				identity, "credential", role, "summary", "Password in a public gist", "source", "gist-scanner",
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
		String delivered = Files.readString(SECRETS.resolve("pg").resolve(role), StandardCharsets.UTF_8);
		assertThat(roles().verifyPassword(role, delivered)).as("the delivered password is the role's").isTrue();
		assertThat(roles().verifyPassword(role, "the-leaked-one-0123456789")).isFalse();
		assertThat(this.api.get("scanner", "/api/v1/responses/" + id).body()).doesNotContain(delivered);
	}

	@Test
	void shouldLeaveTheRoleAsItWasWhenARevocationIsRejected() throws SQLException {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		Connection session = sessionAs(role);
		String id = startRevocation(identity, role);
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply rejected = decide("alice", id, "REJECT", awaiting);

		assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "REJECTED");
		assertThat(canLogin(role)).isTrue();
		assertThat(session.isValid(5)).isTrue();
		assertThat(this.jdbc.sql("select count(*) from target_change where target = 'pg' and subject = ?")
			.param(role)
			.query(Long.class)
			.single()).as("nothing journalled: the role was never touched").isZero();
	}

	@Test
	void shouldRevokeTheUnusedMembershipsWhenAReductionIsApproved() throws SQLException {
		String read = groupRole("read");
		String write = groupRole("write");
		String admin = groupRole("admin");
		String role = loginRole("app", read, write, admin);
		String identity = upsert(role, List.of(read, write, admin));
		Reply started = this.api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "privilege-reduction", "identity", identity, "summary", "admin unused for 90 days",
						"source", "ciem", "severity", "medium", "environment", "staging", "evidence",
						Map.of("usedPrivileges", List.of(read))));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("carol", id, "AWAITING_APPROVAL");
		assertThat(awaiting.path("stagedAction").path("parameters").path("remove").toString()).contains(write, admin);

		Reply approved = decide("carol", id, "APPROVE", awaiting);

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		assertThat(memberships(role)).containsExactly(read);
	}

	@Test
	void shouldDisableEveryLoginRoleOfTheIdentityWhenAQuarantineIsApproved() throws SQLException {
		String first = loginRole("first");
		String second = loginRole("second");
		String identity = upsertIdentity(List.of(first, second), List.of());
		Reply started = this.api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "identity-quarantine", "identity", identity, "summary", "Queries at 3 am",
						"source", "soc-anomaly", "severity", "high", "environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");

		Reply approved = decide("alice", id, "APPROVE", awaiting);

		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", id, "APPLIED");
		assertThat(canLogin(first)).isFalse();
		assertThat(canLogin(second)).isFalse();
	}

	@Test
	void shouldEndTheResponseFailedWhenThePlaybookAsksForAnActionTheTargetCannotTake() throws SQLException {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		ActionConnector connector = this.targets.named("pg");

		assertThatThrownBy(() -> connector.stage(new ConnectorCall(UUID.randomUUID().toString(),
				new StagedAction(ActionTypes.WORKLOAD_ISOLATE, identity,
						JSON.valueToTree(Map.of("identity", identity, "workload", "etl", "customerFacing", false))),
				"stage-" + UUID.randomUUID(), null)))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("workload.isolate")
			.hasMessageContaining("'pg'");
	}

	// The connector, driven directly

	@Test
	void shouldRollBackTheDisableOnTheRoleWhenVerifyFindsASessionThatSlippedIn() throws SQLException {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, identity, role));
		ActionConnector connector = this.targets.named("pg");
		connector.apply(call);
		// Behind the connector's back: someone lets the role in for a moment and a session stays.
		try (Connection admin = admin()) {
			execute(admin, "ALTER ROLE " + PostgresRoles.quote(role) + " LOGIN");
			sessionAs(role);
			execute(admin, "ALTER ROLE " + PostgresRoles.quote(role) + " NOLOGIN");
		}

		assertThatThrownBy(() -> connector.verify(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("session");
		connector.rollback(call);

		assertThat(canLogin(role)).as("LOGIN, as before the action").isTrue();
		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.UNDONE);
		alter(role, "NOLOGIN");
		connector.rollback(call);
		assertThat(canLogin(role)).as("undo restores exactly once").isFalse();
	}

	@Test
	void shouldRefuseToUndoWhenTheRoleWasReEnabledSince() throws SQLException {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, identity, role));
		ActionConnector connector = this.targets.named("pg");
		connector.apply(call);
		alter(role, "LOGIN");

		assertThatThrownBy(() -> connector.rollback(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("changed since");

		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.APPLIED);
	}

	@Test
	void shouldReGrantExactlyTheRevokedMembershipsOnRollback() throws SQLException {
		String read = groupRole("read");
		String write = groupRole("write");
		String admin = groupRole("admin");
		String role = loginRole("app", read, admin);
		String identity = upsert(role, List.of(read, admin));
		// write is not held: a reduction of it is refused at stage, and the rollback cannot grant it
		StagedAction action = new StagedAction(ActionTypes.PRIVILEGES_REDUCE, identity, JSON.valueToTree(
				Map.of("identity", identity, "remove", List.of(admin), "keep", List.of(read))));
		ActionConnector connector = this.targets.named("pg");
		assertThatThrownBy(() -> connector.stage(new ConnectorCall("r", new StagedAction(ActionTypes.PRIVILEGES_REDUCE,
				identity, JSON.valueToTree(Map.of("identity", identity, "remove", List.of(write), "keep", List.of()))),
				"stage", null)))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining(write);
		ConnectorCall call = call(action);

		connector.stage(call);
		connector.apply(call);
		connector.verify(call);
		assertThat(memberships(role)).containsExactly(read);
		connector.rollback(call);

		assertThat(memberships(role)).containsExactlyInAnyOrder(read, admin);
	}

	@Test
	void shouldChangeTheRoleOnceWhenApplyIsRetriedAfterACrashBetweenChangingAndRecording() throws SQLException {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, identity, role));
		RecordingConnections recorder = new RecordingConnections(this::targetConnection);
		ActionConnector connector = connector(recorder);

		crashBeforeCommit(() -> connector.apply(call));

		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.PENDING);
		assertThat(canLogin(role)).isFalse();
		int sentBeforeRetry = recorder.sent().size();

		new TransactionTemplate(this.transactionManager).executeWithoutResult(status -> connector.apply(call));

		assertThat(recorder.sent().subList(sentBeforeRetry, recorder.sent().size()))
			.as("the retry reads the role and changes nothing on it")
			.noneMatch(sql -> sql.startsWith("ALTER ROLE"));
		TargetChanges.Change change = this.changes.find(call.idempotencyKey()).orElseThrow();
		assertThat(change.status()).isEqualTo(TargetChanges.Status.APPLIED);
		assertThat(change.afterState()).contains(role);
		assertThat(receiptUses(call)).isEqualTo(1);
		connector.verify(call);
		connector.rollback(call);
		assertThat(canLogin(role)).as("the journalled before-state survived the crash").isTrue();
	}

	@Test
	void shouldRotateOnceWhenApplyIsRetriedAfterACrashBetweenChangingAndRecording() throws Exception {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_ROTATE, identity, role));
		ActionConnector connector = this.targets.named("pg");

		crashBeforeCommit(() -> connector.apply(call));
		String afterCrash = verifierFingerprint(role);
		String delivered = Files.readString(SECRETS.resolve("pg").resolve(role), StandardCharsets.UTF_8);
		new TransactionTemplate(this.transactionManager).executeWithoutResult(status -> connector.apply(call));

		assertThat(verifierFingerprint(role)).as("not rotated a second time").isEqualTo(afterCrash);
		assertThat(Files.readString(SECRETS.resolve("pg").resolve(role), StandardCharsets.UTF_8)).isEqualTo(delivered);
		assertThat(roles().verifyPassword(role, delivered)).isTrue();
		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().status())
			.isEqualTo(TargetChanges.Status.APPLIED);
		connector.verify(call);
	}

	@Test
	void shouldDeliverTheRotatedPasswordOnlyToTheSink(CapturedOutput output) throws Exception {
		String role = loginRole("app");
		String identity = upsert(role, List.of());
		String before = verifierFingerprint(role);
		ConnectorCall call = call(credentialAction(ActionTypes.CREDENTIAL_ROTATE, identity, role));
		ActionConnector connector = this.targets.named("pg");

		connector.stage(call);
		connector.apply(call);
		connector.verify(call);

		Path file = SECRETS.resolve("pg").resolve(role);
		String material = Files.readString(file, StandardCharsets.UTF_8);
		assertThat(material).hasSize(43);
		assertThat(verifierFingerprint(role)).isNotEqualTo(before);
		assertThat(roles().verifyPassword(role, material)).as("the new password is active").isTrue();
		assertThat(this.changes.find(call.idempotencyKey()).orElseThrow().afterState())
			.contains(StagedAction.sha256(material));
		assertThat(tablesHolding(material)).as("tables holding the new password").isEmpty();
		assertThat(output.getAll()).doesNotContain(material);

		connector.rollback(call);

		String replacement = Files.readString(file, StandardCharsets.UTF_8);
		assertThat(replacement).as("undo rotates again, to new material in the sink").isNotEqualTo(material);
		assertThat(roles().verifyPassword(role, replacement)).isTrue();
		assertThat(roles().verifyPassword(role, material)).isFalse();
		assertThat(tablesHolding(replacement)).isEmpty();
		assertThat(output.getAll()).doesNotContain(replacement);
	}

	// Helpers

	private String startRevocation(String identity, String role) {
		Reply started = this.api.post("scanner", "/api/v1/responses", Map.of("playbook", "credential-revocation",
				"identity", identity, "credential", role, "summary", "Password in a public gist", "source",
				"gist-scanner", "severity", "high", "environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private Reply decide(String user, String id, String decision, JsonNode awaiting) {
		return this.api.post(user, "/api/v1/responses/" + id + "/decision", Map.of("decision", decision, "reason",
				decision + " in a test", "fingerprint", awaiting.path("stagedAction").path("fingerprint").asText()));
	}

	private String upsert(String role, List<String> privileges) {
		return upsertIdentity(List.of(role), privileges);
	}

	private String upsertIdentity(List<String> loginRoles, List<String> privileges) {
		String identity = "svc-" + this.prefix.replace('_', '-') + UUID.randomUUID().toString().substring(0, 8);
		List<Map<String, Object>> credentials = loginRoles.stream()
			.map(role -> Map.<String, Object>of("id", role, "kind", "PASSWORD", "fingerprint",
					StagedAction.sha256("v1 " + role)))
			.toList();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("owner", "data-team");
		body.put("environment", "staging");
		body.put("privileges", privileges);
		body.put("credentials", credentials);
		body.put("target", "pg");
		Reply stored = this.api.put("scanner", "/api/v1/identities/" + identity, body);
		assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
		return identity;
	}

	private StagedAction credentialAction(String type, String identity, String role) {
		return new StagedAction(type, role, JSON.valueToTree(Map.of("identity", identity, "credential", role)));
	}

	private ConnectorCall call(StagedAction action) {
		String responseId = UUID.randomUUID().toString();
		IssuedReceipt receipt = this.receipts.issue(new ReceiptRequest(responseId, action.fingerprint(),
				List.of("alice"), "one-of:security-leads", null, null));
		return new ConnectorCall(responseId, action, responseId + ":apply:" + UUID.randomUUID(), receipt.token());
	}

	/** What a crash after the role changed and before the job's transaction committed leaves behind. */
	private void crashBeforeCommit(Runnable apply) {
		new TransactionTemplate(this.transactionManager).executeWithoutResult(status -> {
			apply.run();
			status.setRollbackOnly();
		});
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

	private PostgresConnector connector(RecordingConnections recorder) {
		PostgresTarget target = target();
		return new PostgresConnector("pg", target, new PostgresRoles(target, recorder, new SecureRandom()),
				this.changes, this.receiptVerifier, this.sink, this.context.getBeanProvider(Inventory.class),
				this.transactionManager, JSON);
	}

	private PostgresRoles roles() {
		return new PostgresRoles(target());
	}

	private PostgresTarget target() {
		return new PostgresTarget(DATABASE.getJdbcUrl(), DATABASE.getUsername(), DATABASE.getPassword());
	}

	private Connection targetConnection() throws SQLException {
		PostgresTarget target = target();
		return PostgresRoles.connect(target.jdbcUrl(), target.username(), target.password(), "countersign-tests");
	}

	private String loginRole(String suffix, String... memberOf) throws SQLException {
		String role = this.prefix + suffix;
		try (Connection admin = admin()) {
			execute(admin, "CREATE ROLE " + PostgresRoles.quote(role) + " LOGIN");
			this.createdRoles.add(role);
			for (String group : memberOf) {
				execute(admin, "GRANT " + PostgresRoles.quote(group) + " TO " + PostgresRoles.quote(role));
			}
		}
		return role;
	}

	private String groupRole(String suffix) throws SQLException {
		String role = this.prefix + suffix;
		try (Connection admin = admin()) {
			execute(admin, "CREATE ROLE " + PostgresRoles.quote(role) + " NOLOGIN");
		}
		this.createdRoles.add(role);
		return role;
	}

	private Connection sessionAs(String role) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", role);
		properties.setProperty("connectTimeout", "5");
		Connection session = DriverManager.getConnection(DATABASE.getJdbcUrl(), properties);
		this.sessions.add(session);
		return session;
	}

	private boolean canLogin(String role) {
		return roles().describe(role).canLogin();
	}

	private List<String> memberships(String role) {
		return roles().describe(role).memberOf();
	}

	private int sessionCount(String role) {
		return roles().sessions(role);
	}

	private String verifierFingerprint(String role) {
		return roles().describe(role).password().fingerprint();
	}

	private Connection admin() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", DATABASE.getUsername());
		if (!DATABASE.getPassword().isEmpty()) {
			properties.setProperty("password", DATABASE.getPassword());
		}
		return DriverManager.getConnection(DATABASE.getJdbcUrl(), properties);
	}

	private void alter(String role, String option) throws SQLException {
		try (Connection admin = admin()) {
			execute(admin, "ALTER ROLE " + PostgresRoles.quote(role) + " " + option);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("countersign-pg-secrets");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
