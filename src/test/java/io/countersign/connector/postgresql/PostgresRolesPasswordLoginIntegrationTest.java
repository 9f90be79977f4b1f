package io.countersign.connector.postgresql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PostgresRoles} against a throwaway cluster that accepts logins only with {@code scram-sha-256}, so a login
 * there proves the password: the check a server trusting every local login (the shared one of the other tests)
 * cannot make. The cluster logs every statement, which shows that the server never saw the material.
 */
class PostgresRolesPasswordLoginIntegrationTest {

	@RegisterExtension
	static final ScramOnlyCluster CLUSTER = new ScramOnlyCluster();

	private final String role = "cs_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_svc";

	private PostgresTarget target;

	private PostgresRoles roles;

	@BeforeEach
	void createRole() throws SQLException {
		this.target = CLUSTER.target();
		this.roles = new PostgresRoles(this.target);
		admin("CREATE ROLE " + PostgresRoles.quote(this.role) + " LOGIN");
	}

	@AfterEach
	void dropRole() throws SQLException {
		admin("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = '" + this.role + "'");
		admin("DROP ROLE IF EXISTS " + PostgresRoles.quote(this.role));
	}

	@Test
	void shouldLogInWithTheNewPasswordOnlyWhenRotated() throws IOException {
		RotatedPassword old = this.roles.rotate(this.role);

		RotatedPassword rotated = this.roles.rotate(this.role);

		assertThat(this.roles.verifyByLogin(this.role, rotated.material())).isTrue();
		assertThat(this.roles.verifyByLogin(this.role, old.material())).isFalse();
		assertThat(this.roles.verifyPassword(this.role, rotated.material())).isTrue();
		assertThat(this.roles.verifyPassword(this.role, old.material())).isFalse();
	}

	@Test
	void shouldKeepTheMaterialOutOfTheServerLogWhenEveryStatementIsLogged() throws IOException {
		RotatedPassword rotated = this.roles.rotate(this.role);
		this.roles.verifyByLogin(this.role, rotated.material());
		this.roles.verifyByLogin(this.role, "wrong-" + rotated.material());

		String serverLog = CLUSTER.serverLog();

		// The statement is in the log (so the log does record it), the password is not: only its verifier.
		assertThat(serverLog).contains(": ALTER ROLE \"" + this.role + "\" PASSWORD 'SCRAM-SHA-256$4096:")
			.contains("password authentication failed for user \"" + this.role + "\"")
			.doesNotContain(rotated.material());
	}

	@Test
	void shouldRefuseTheLoginWhenDisabledAndAcceptItWhenEnabled() throws SQLException {
		String password = this.roles.rotate(this.role).material();
		try (Connection session = PostgresRoles.connect(this.target.jdbcUrl(), this.role, password, "tests")) {

			assertThat(this.roles.disable(this.role)).isEqualTo(1);

			assertThatThrownBy(() -> execute(session, "SELECT 1")).isInstanceOf(SQLException.class);
		}
		assertThat(this.roles.verifyByLogin(this.role, password)).isFalse();

		this.roles.enable(this.role);

		assertThat(this.roles.verifyByLogin(this.role, password)).isTrue();
	}

	private void admin(String sql) throws SQLException {
		try (Connection admin = PostgresRoles.connect(this.target.jdbcUrl(), this.target.username(),
				this.target.password(), "tests")) {
			execute(admin, sql);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
