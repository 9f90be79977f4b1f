package io.countersign.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.apache.ibatis.exceptions.PersistenceException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.ProcessEnginePersistenceException;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.transaction.TransactionSystemException;

/**
 * What a failed database call is to the caller, from real driver exceptions wrapped the way the engine (MyBatis, then
 * the engine's persistence exception) and Spring wrap them.
 */
class DatabaseFailuresTest {

	@Test
	void shouldTakeH2LockTimeoutUnderEngineExceptionsForConflict() throws SQLException {
		SQLException timeout = h2LockTimeout();
		assertThat(timeout.getSQLState()).isEqualTo("HYT00");

		ProcessEngineException engine = new ProcessEnginePersistenceException("persistence", new PersistenceException(timeout));
		assertThat(DatabaseFailures.classify(engine)).isEqualTo(DatabaseFailures.Kind.CONFLICT);
		// As Spring's JdbcTemplate reports it.
		Throwable translated = new SQLErrorCodeSQLExceptionTranslator("H2").translate("update", "update", timeout);
		assertThat(DatabaseFailures.classify(translated)).isEqualTo(DatabaseFailures.Kind.CONFLICT);
	}

	@Test
	void shouldTakeUnreachableIdentityProviderForUnavailable() {
		// How the Keycloak identity provider reports a Keycloak it cannot reach: its REST call's I/O failure, wrapped.
		Throwable refused = catchThrowable(
				() -> new org.springframework.web.client.RestTemplate().getForObject("http://127.0.0.1:1/realms", String.class));
		Throwable wrapped = new ProcessEngineException("Unable to query groups of user bob", refused);

		assertThat(DatabaseFailures.classify(wrapped)).isEqualTo(DatabaseFailures.Kind.UNAVAILABLE);
		assertThat(DatabaseFailures.unavailableDetail(wrapped)).startsWith("The identity provider is not reachable");
	}

	@Test
	void shouldTakeUnreachableDatabaseForUnavailable() {
		Throwable refused = catchThrowable(() -> DriverManager.getConnection(
				"jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "nobody", ""));
		assertThat(refused).isInstanceOf(SQLException.class);
		assertThat(DatabaseFailures.classify(new ProcessEnginePersistenceException("persistence", new PersistenceException(refused))))
			.isEqualTo(DatabaseFailures.Kind.UNAVAILABLE);
		assertThat(DatabaseFailures.classify(new ProcessEnginePersistenceException("persistence", 
				new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed")))))
			.isEqualTo(DatabaseFailures.Kind.UNAVAILABLE);
	}

	@Test
	void shouldTakeOtherFailuresForOurBug() throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID(), "sa", "");
				Statement statement = connection.createStatement()) {
			SQLException syntax = catchThrowableOfType(() -> statement.execute("SELEC 1"));
			assertThat(DatabaseFailures.classify(new ProcessEnginePersistenceException("persistence", new PersistenceException(syntax))))
				.isEqualTo(DatabaseFailures.Kind.OTHER);
		}
		assertThat(DatabaseFailures.classify(new IllegalStateException("bug"))).isEqualTo(DatabaseFailures.Kind.OTHER);
	}

	/** Two connections to one in-memory H2 database: the second waits 100 ms for a row the first has locked. */
	private static SQLException h2LockTimeout() throws SQLException {
		String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=100";
		try (Connection holder = DriverManager.getConnection(url, "sa", "");
				Connection waiter = DriverManager.getConnection(url, "sa", "")) {
			try (Statement setup = holder.createStatement()) {
				setup.execute("CREATE TABLE approval_request (id INT PRIMARY KEY, status VARCHAR(16))");
				setup.execute("INSERT INTO approval_request VALUES (1, 'OPEN')");
			}
			holder.setAutoCommit(false);
			try (Statement winner = holder.createStatement(); Statement loser = waiter.createStatement()) {
				winner.executeUpdate("UPDATE approval_request SET status = 'APPROVED' WHERE id = 1");
				return catchThrowableOfType(() -> loser.executeUpdate(
						"UPDATE approval_request SET status = 'REJECTED' WHERE id = 1"));
			}
			finally {
				holder.rollback();
			}
		}
	}

	private static SQLException catchThrowableOfType(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
		Throwable thrown = catchThrowable(call);
		assertThat(thrown).isInstanceOf(SQLException.class);
		return (SQLException) thrown;
	}

}
