package io.countersign.connector.postgresql;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PostgresRoles} against the PostgreSQL server the other integration tests use. That server may trust every
 * local login (here) or want a password (CI's Debian default): tests log in as a role with a password the class set,
 * so they hold either way, and they verify passwords by the stored SCRAM verifier, never by a login on a server
 * that would let any password in. Logins with real password checks are in
 * {@link PostgresRolesPasswordLoginIntegrationTest}.
 *
 * <p>
 * Roles are cluster-wide, so each test names its own with a random prefix and drops them afterwards.
 */
class PostgresRolesIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	private final String prefix = "cs_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";

	private final List<String> createdRoles = new ArrayList<>();

	private final List<Connection> roleSessions = new ArrayList<>();

	private PostgresTarget target;

	private RecordingConnections recorder;

	private PostgresRoles roles;

	@BeforeEach
	void setUp() {
		this.target = new PostgresTarget(DATABASE.getJdbcUrl(), DATABASE.getUsername(), DATABASE.getPassword());
		this.recorder = new RecordingConnections(() -> PostgresRoles.connect(this.target.jdbcUrl(),
				this.target.username(), this.target.password(), "countersign-tests"));
		this.roles = new PostgresRoles(this.target, this.recorder, new SecureRandom());
	}

	@AfterEach
	void dropRoles() throws SQLException {
		for (Connection session : this.roleSessions) {
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

	@Test
	void shouldStoreOnlyTheVerifierWhenRotatingThePassword() throws SQLException {
		String role = createRole("svc", "LOGIN");
		RotatedPassword old = this.roles.rotate(role);

		RotatedPassword rotated = this.roles.rotate(role);

		assertThat(rotated.material()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(old.material());
		assertThat(rotated.fingerprint()).isEqualTo(PostgresRoles.fingerprint(rotated.material()))
			.matches("sha256:[0-9a-f]{64}");
		assertThat(this.roles.verifyPassword(role, rotated.material())).isTrue();
		assertThat(this.roles.verifyPassword(role, old.material())).isFalse();
		String stored = storedPassword(role);
		assertThat(stored).startsWith("SCRAM-SHA-256$4096:").doesNotContain(rotated.material());
		assertThat(this.recorder.sent())
			.anyMatch((sql) -> sql.startsWith("ALTER ROLE \"" + role + "\" PASSWORD 'SCRAM-SHA-256$4096:"))
			.noneMatch((sql) -> sql.contains(rotated.material()) || sql.contains(old.material()));
		RoleState state = this.roles.describe(role);
		assertThat(state.password().kind()).isEqualTo(PasswordVerifier.Kind.SCRAM_SHA_256);
		assertThat(state.password().fingerprint()).isEqualTo(PostgresRoles.fingerprint(stored));
	}

	@Test
	void shouldAcceptThePasswordWhenPostgresHashedItItself() throws SQLException {
		String role = createRole("svc", "LOGIN");
		try (Connection admin = admin()) {
			// Plaintext on purpose: this proves our check agrees with the server's own SCRAM implementation.
			execute(admin, "SET password_encryption = 'scram-sha-256'");
			execute(admin, "ALTER ROLE " + PostgresRoles.quote(role) + " PASSWORD 'correct horse battery staple'");
		}

		assertThat(this.roles.verifyPassword(role, "correct horse battery staple")).isTrue();
		assertThat(this.roles.verifyPassword(role, "Correct horse battery staple")).isFalse();
	}

	@Test
	void shouldAnswerFalseWhenTheRoleHasNoScramVerifier() throws SQLException {
		String none = createRole("nopassword", "LOGIN");
		String md5 = createRole("md5", "LOGIN");
		try (Connection admin = admin()) {
			execute(admin, "SET password_encryption = 'md5'");
			execute(admin, "ALTER ROLE " + PostgresRoles.quote(md5) + " PASSWORD 'legacy-password'");
		}

		assertThat(this.roles.verifyPassword(none, "anything")).isFalse();
		assertThat(this.roles.verifyPassword(md5, "legacy-password")).isFalse();
		assertThat(this.roles.verifyPassword(this.prefix + "absent", "anything")).isFalse();
		assertThat(this.roles.describe(none).password()).isEqualTo(PasswordVerifier.none());
		assertThat(this.roles.describe(md5).password().kind()).isEqualTo(PasswordVerifier.Kind.MD5);
	}

	@Test
	void shouldDescribeLoginExpiryAndMembershipsWhenTheRoleExists() {
		String group = createRole("group", "NOLOGIN");
		String expiring = createRole("expiring",
				"LOGIN VALID UNTIL '2030-01-02 03:04:05+00' IN ROLE " + PostgresRoles.quote(group));
		String forever = createRole("forever", "NOLOGIN VALID UNTIL 'infinity'");

		RoleState state = this.roles.describe(expiring);

		assertThat(state.exists()).isTrue();
		assertThat(state.canLogin()).isTrue();
		assertThat(state.validUntil()).isEqualTo(Instant.parse("2030-01-02T03:04:05Z"));
		assertThat(state.memberOf()).containsExactly(group);
		assertThat(this.roles.describe(forever).canLogin()).isFalse();
		assertThat(this.roles.describe(forever).validUntil()).isNull();
		assertThat(this.roles.describe(this.prefix + "absent")).isEqualTo(RoleState.missing(this.prefix + "absent"));
	}

	@Test
	void shouldEndTheRoleSessionsWhenDisabled() throws SQLException {
		String role = createRole("app", "LOGIN");
		String password = this.roles.rotate(role).material();
		Connection session = loginAs(role, password);
		assertThat(this.roles.sessions(role)).isEqualTo(1);

		int terminated = this.roles.disable(role);

		assertThat(terminated).isEqualTo(1);
		assertThat(this.roles.describe(role).canLogin()).isFalse();
		assertThat(this.roles.sessions(role)).isZero();
		assertThatThrownBy(() -> execute(session, "SELECT 1")).isInstanceOf(SQLException.class);
		// NOLOGIN is checked whatever pg_hba.conf says, so this login attempt means something even under trust.
		assertThat(this.roles.verifyByLogin(role, password)).isFalse();
	}

	@Test
	void shouldLetTheRoleLogInAgainWhenEnabled() {
		String role = createRole("app", "NOLOGIN");
		String password = this.roles.rotate(role).material();
		assertThat(this.roles.verifyByLogin(role, password)).isFalse();

		this.roles.enable(role);

		assertThat(this.roles.describe(role).canLogin()).isTrue();
		assertThat(this.roles.verifyByLogin(role, password)).isTrue();
	}

	@Test
	void shouldRestoreTheMembershipsWhenRegrantingWhatWasRevoked() {
		String reader = createRole("reader", "NOLOGIN");
		String writer = createRole("writer", "NOLOGIN");
		String unrelated = createRole("unrelated", "NOLOGIN");
		String role = createRole("svc",
				"LOGIN IN ROLE " + PostgresRoles.quote(reader) + ", " + PostgresRoles.quote(writer));
		assertThat(this.roles.describe(role).memberOf()).containsExactly(reader, writer);

		List<String> revoked = this.roles.revokeMemberships(role, List.of(writer, unrelated));

		assertThat(revoked).containsExactly(writer);
		assertThat(this.roles.describe(role).memberOf()).containsExactly(reader);

		List<String> granted = this.roles.grantMemberships(role, revoked);

		assertThat(granted).containsExactly(writer);
		assertThat(this.roles.describe(role).memberOf()).containsExactly(reader, writer);
		assertThat(this.roles.grantMemberships(role, revoked)).isEmpty();
	}

	@Test
	void shouldGrantNothingWhenOneMembershipOfTheListFails() {
		String reader = createRole("reader", "NOLOGIN");
		String role = createRole("svc", "LOGIN");

		assertThatThrownBy(() -> this.roles.grantMemberships(role, List.of(reader, this.prefix + "absent")))
			.isInstanceOf(PostgresRoleException.class)
			.extracting((ex) -> ((PostgresRoleException) ex).getSqlState())
			.isEqualTo("42704");

		assertThat(this.roles.describe(role).memberOf()).isEmpty();
	}

	@Test
	void shouldRefuseInjectedRoleNamesWhenNothingHasBeenSent() {
		String victim = createRole("victim", "LOGIN");
		List<String> hostile = new ArrayList<>(List.of(victim + "\" NOLOGIN; DROP ROLE \"" + victim,
				victim + "'; DROP ROLE " + PostgresRoles.quote(victim) + "; --", victim + "; SELECT 1",
				"\"" + victim + "\"", victim + " NOLOGIN", victim + "\u0000", victim + "\n", "", "x".repeat(64),
				"1" + victim));
		hostile.add(null);

		for (String name : hostile) {
			for (Consumer<String> operation : List.<Consumer<String>>of(this.roles::describe, this.roles::rotate,
					this.roles::disable, this.roles::enable, this.roles::sessions,
					(n) -> this.roles.verifyPassword(n, "x"), (n) -> this.roles.verifyByLogin(n, "x"),
					(n) -> this.roles.revokeMemberships(n, List.of(victim)),
					(n) -> this.roles.revokeMemberships(victim, Collections.singletonList(n)),
					(n) -> this.roles.grantMemberships(victim, Collections.singletonList(n)))) {
				assertThatThrownBy(() -> operation.accept(name)).isInstanceOf(IllegalArgumentException.class)
					.message()
					.doesNotContain(victim);
			}
		}

		assertThat(this.recorder.connectionsOpened()).isZero();
		assertThat(this.recorder.sent()).isEmpty();
		RoleState state = this.roles.describe(victim);
		assertThat(state.exists()).isTrue();
		assertThat(state.canLogin()).isTrue();
	}

	@Test
	void shouldChangeOnlyTheExactRoleWhenItsNameNeedsQuoting() {
		// Unquoted, Svc-Billing.$x would be a syntax error, and an unquoted Svc would fold into svc.
		String exact = createRole("Svc-Billing.$x", "LOGIN");
		String lowerTwin = createRole("svc-billing.$x", "LOGIN");

		String password = this.roles.rotate(exact).material();
		this.roles.disable(exact);

		assertThat(this.roles.verifyPassword(exact, password)).isTrue();
		assertThat(this.roles.describe(exact).canLogin()).isFalse();
		RoleState twin = this.roles.describe(lowerTwin);
		assertThat(twin.canLogin()).isTrue();
		assertThat(twin.password()).isEqualTo(PasswordVerifier.none());
	}

	@Test
	void shouldRefuseToChangeItsOwnLoginRoleWhenAskedTo() {
		String admin = createRole("admin", "LOGIN CREATEROLE");
		String password = this.roles.rotate(admin).material();
		PostgresRoles asAdmin = new PostgresRoles(new PostgresTarget(this.target.jdbcUrl(), admin, password));

		for (Consumer<String> operation : List.<Consumer<String>>of(asAdmin::disable, asAdmin::rotate,
				(n) -> asAdmin.revokeMemberships(n, List.of("pg_monitor")))) {
			assertThatThrownBy(() -> operation.accept(admin)).isInstanceOf(PostgresRoleException.class)
				.hasMessageContaining("connects as");
		}

		assertThat(this.roles.describe(admin).canLogin()).isTrue();
		assertThat(this.roles.verifyPassword(admin, password)).isTrue();
	}

	@Test
	void shouldSayWhyTheVerifierIsUnknownWhenTheTargetUserIsNotSuperuser() {
		String admin = createRole("admin", "LOGIN CREATEROLE");
		String role = createRole("svc", "LOGIN");
		String password = this.roles.rotate(admin).material();
		this.roles.rotate(role);
		PostgresRoles asAdmin = new PostgresRoles(new PostgresTarget(this.target.jdbcUrl(), admin, password));

		RoleState state = asAdmin.describe(role);

		assertThat(state.exists()).isTrue();
		assertThat(state.canLogin()).isTrue();
		assertThat(state.password().kind()).isEqualTo(PasswordVerifier.Kind.UNREADABLE);
		assertThat(state.password().fingerprint()).isNull();
		assertThat(state.password().unreadableReason()).contains("superuser");
		assertThatThrownBy(() -> asAdmin.verifyPassword(role, "anything")).isInstanceOf(PostgresRoleException.class)
			.extracting((ex) -> ((PostgresRoleException) ex).getSqlState())
			.isEqualTo("42501");
	}

	private String createRole(String suffix, String options) {
		String role = this.prefix + suffix;
		try (Connection admin = admin()) {
			execute(admin, "CREATE ROLE " + PostgresRoles.quote(role) + " " + options);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		this.createdRoles.add(role);
		return role;
	}

	private Connection loginAs(String role, String password) throws SQLException {
		Connection session = PostgresRoles.connect(this.target.jdbcUrl(), role, password, "countersign-tests-role");
		this.roleSessions.add(session);
		return session;
	}

	private String storedPassword(String role) throws SQLException {
		try (Connection admin = admin();
				PreparedStatement statement = admin
					.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
			statement.setString(1, role);
			try (ResultSet row = statement.executeQuery()) {
				assertThat(row.next()).isTrue();
				return row.getString(1);
			}
		}
	}

	private Connection admin() throws SQLException {
		return PostgresRoles.connect(this.target.jdbcUrl(), this.target.username(), this.target.password(),
				"countersign-tests");
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
