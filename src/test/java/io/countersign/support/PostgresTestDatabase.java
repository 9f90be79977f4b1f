package io.countersign.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A fresh, uniquely named PostgreSQL database ({@code countersign_it_<random>}) for one test class,
 * dropped again afterwards, so integration tests never share state or depend on what an earlier run left.
 *
 * <p>
 * The server is the one named by {@code COUNTERSIGN_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}, the database used to issue {@code CREATE DATABASE}),
 * {@code COUNTERSIGN_TEST_PG_USER} (default {@code postgres}) and {@code COUNTERSIGN_TEST_PG_PASSWORD}
 * (default none). The user needs {@code CREATEDB}.
 *
 * <p>
 * When the server cannot be reached, the test class is <em>skipped</em> (a JUnit assumption) so that a
 * developer with only a JDK still gets a green {@code ./mvnw verify}. When {@code CI=true}, or when
 * {@code COUNTERSIGN_TEST_PG_URL} is set explicitly, it <em>fails</em> instead: there a missing database is a
 * broken pipeline, not a missing convenience.
 *
 * <p>
 * Register it as a static JUnit 5 extension; the database is created before the class's first test and
 * dropped after the class, once every other extension (including Spring's) has finished:
 *
 * <pre>{@code
 * @SpringBootTest @ActiveProfiles("postgres") @DirtiesContext
 * class SomethingIntegrationTest {
 *     @RegisterExtension static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();
 *     @DynamicPropertySource static void database(DynamicPropertyRegistry registry) { DATABASE.registerDataSource(registry); }
 * }
 * }</pre>
 *
 * {@code @DirtiesContext} closes the Spring context (and its job executor and connection pool) before the
 * database is dropped; a cached context would otherwise keep polling a database that no longer exists.
 * Without Spring's test support, start contexts with {@link #dataSourceArguments()} as command-line
 * arguments. Outside JUnit, call {@link #start()} and {@link #close()} yourself.
 */
public final class PostgresTestDatabase implements BeforeAllCallback, AutoCloseable {

	/** Prefix of every database this class creates; anything with it on a shared server is disposable. */
	public static final String DATABASE_PREFIX = "countersign_it_";

	static final String URL_ENV = "COUNTERSIGN_TEST_PG_URL";

	static final String USER_ENV = "COUNTERSIGN_TEST_PG_USER";

	static final String PASSWORD_ENV = "COUNTERSIGN_TEST_PG_PASSWORD";

	static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

	static final String DEFAULT_USER = "postgres";

	private static final String JDBC_PREFIX = "jdbc:postgresql://";

	/** SQLSTATE 55006: the database still has sessions; a pool may reconnect between terminate and drop. */
	private static final String OBJECT_IN_USE = "55006";

	private static final int DROP_ATTEMPTS = 5;

	private static final Logger log = LoggerFactory.getLogger(PostgresTestDatabase.class);

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(PostgresTestDatabase.class);

	private final String adminUrl;

	private final String username;

	private final String password;

	private final boolean mandatory;

	private String databaseName;

	private String jdbcUrl;

	/** Reads the server coordinates from the environment; nothing touches the server until {@link #start()}. */
	public PostgresTestDatabase() {
		this.adminUrl = envOrDefault(URL_ENV, DEFAULT_URL);
		this.username = envOrDefault(USER_ENV, DEFAULT_USER);
		this.password = envOrDefault(PASSWORD_ENV, "");
		this.mandatory = "true".equalsIgnoreCase(System.getenv("CI")) || !isBlank(System.getenv(URL_ENV));
	}

	/**
	 * Creates the database unless already done. Aborts the calling test (assumption) when the server cannot be
	 * reached and PostgreSQL is optional here, and throws {@link IllegalStateException} when it is mandatory.
	 * @return this, for chaining
	 */
	public synchronized PostgresTestDatabase start() {
		if (this.databaseName != null) {
			return this;
		}
		String name = DATABASE_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try (Connection admin = connect(this.adminUrl); Statement statement = admin.createStatement()) {
			// template0: nobody is ever connected to it, so parallel runs cannot trip over each other, and
			// nothing someone added to template1 leaks into the test.
			statement.execute("CREATE DATABASE " + quote(name) + " TEMPLATE template0 ENCODING 'UTF8'");
		}
		catch (SQLException ex) {
			unavailable(ex);
		}
		this.databaseName = name;
		this.jdbcUrl = withDatabase(this.adminUrl, name);
		return this;
	}

	/** The JDBC URL of the test database. */
	public String getJdbcUrl() {
		requireStarted();
		return this.jdbcUrl;
	}

	public String getUsername() {
		return this.username;
	}

	/** The password, or an empty string when the server trusts the connection. */
	public String getPassword() {
		return this.password;
	}

	public String getDatabaseName() {
		requireStarted();
		return this.databaseName;
	}

	/**
	 * Points {@code spring.datasource.*} at the test database. Suppliers are read lazily, after the
	 * extension has created the database.
	 * @param registry the registry passed to a {@code @DynamicPropertySource} method
	 */
	public void registerDataSource(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", this::getJdbcUrl);
		registry.add("spring.datasource.username", this::getUsername);
		registry.add("spring.datasource.password", this::getPassword);
	}

	/**
	 * {@code spring.datasource.*} as command-line arguments for
	 * {@code SpringApplicationBuilder.run(String...)}. Command-line arguments outrank the
	 * {@code COUNTERSIGN_DB_*} environment variables and the profile files, whereas
	 * {@code SpringApplicationBuilder.properties(..)} only sets defaults that the profile files override.
	 * @return the arguments, starting the database first if necessary
	 */
	public String[] dataSourceArguments() {
		start();
		return new String[] { "--spring.datasource.url=" + getJdbcUrl(), "--spring.datasource.username=" + getUsername(),
				"--spring.datasource.password=" + getPassword() };
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		start();
		// Resources in the class-level store are closed after all afterAll callbacks, Spring's included, so
		// a context closed by @DirtiesContext is gone before its database is dropped.
		context.getStore(NAMESPACE).put(this, (ExtensionContext.Store.CloseableResource) this::close);
	}

	/** Terminates leftover sessions and drops the database. Safe to call more than once. */
	@Override
	public synchronized void close() throws SQLException {
		if (this.databaseName == null) {
			return;
		}
		try (Connection admin = connect(this.adminUrl)) {
			dropWithRetries(admin, this.databaseName);
		}
		this.databaseName = null;
		this.jdbcUrl = null;
	}

	@Override
	public String toString() {
		return "PostgresTestDatabase[" + ((this.jdbcUrl != null) ? this.jdbcUrl : this.adminUrl + " (not started)")
				+ "]";
	}

	private static void dropWithRetries(Connection admin, String name) throws SQLException {
		for (int attempt = 1;; attempt++) {
			try (PreparedStatement terminate = admin.prepareStatement(
					"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
				terminate.setString(1, name);
				terminate.execute();
			}
			try (Statement drop = admin.createStatement()) {
				drop.execute("DROP DATABASE IF EXISTS " + quote(name));
				return;
			}
			catch (SQLException ex) {
				if (!OBJECT_IN_USE.equals(ex.getSQLState()) || attempt >= DROP_ATTEMPTS) {
					throw ex;
				}
				sleep(200L * attempt);
			}
		}
	}

	private Connection connect(String url) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", this.username);
		if (!this.password.isEmpty()) {
			properties.setProperty("password", this.password);
		}
		// Seconds. A firewalled or absent server must not hang the build for the driver's default.
		properties.setProperty("connectTimeout", "5");
		properties.setProperty("ApplicationName", "countersign-tests");
		return DriverManager.getConnection(url, properties);
	}

	private void unavailable(SQLException ex) {
		String sqlState = (ex.getSQLState() != null) ? ex.getSQLState() : "";
		String reason = sqlState.startsWith("08") ? "does not answer"
				: sqlState.startsWith("28") ? "rejected the login" : "could not create a database";
		String message = "PostgreSQL at " + this.adminUrl + " (user " + this.username + ") " + reason + " ["
				+ ex.getMessage() + "]. Set " + URL_ENV + ", " + USER_ENV + " and " + PASSWORD_ENV
				+ " to a server where that user has CREATEDB.";
		if (this.mandatory) {
			throw new IllegalStateException(message + " PostgreSQL is mandatory because "
					+ (isBlank(System.getenv(URL_ENV)) ? "CI=true." : URL_ENV + " is set."), ex);
		}
		// A class skipped in beforeAll shows up in Maven's summary as zero tests, not as skipped: say why here.
		log.warn("Skipping PostgreSQL tests: {}", message);
		Assumptions.abort("Skipped: " + message);
	}

	private void requireStarted() {
		if (this.databaseName == null) {
			throw new IllegalStateException("The test database has not been created: register " + getClass().getSimpleName()
					+ " with @RegisterExtension on a static field, or call start()");
		}
	}

	/**
	 * Replaces the database of a PostgreSQL JDBC URL, keeping host, port and parameters.
	 * {@code jdbc:postgresql://h:5432/postgres?ssl=true} becomes {@code jdbc:postgresql://h:5432/<name>?ssl=true}.
	 */
	static String withDatabase(String url, String database) {
		if (!url.startsWith(JDBC_PREFIX)) {
			throw new IllegalArgumentException(URL_ENV + " must start with " + JDBC_PREFIX + " but was " + url);
		}
		int queryStart = url.indexOf('?');
		String query = (queryStart >= 0) ? url.substring(queryStart) : "";
		String withoutQuery = (queryStart >= 0) ? url.substring(0, queryStart) : url;
		int pathStart = withoutQuery.indexOf('/', JDBC_PREFIX.length());
		String authority = (pathStart >= 0) ? withoutQuery.substring(0, pathStart) : withoutQuery;
		return authority + "/" + database + query;
	}

	/** Database names come from this class only, but quoting keeps the generated SQL correct regardless. */
	private static String quote(String identifier) {
		return "\"" + identifier.replace("\"", "\"\"") + "\"";
	}

	private static String envOrDefault(String name, String defaultValue) {
		String value = System.getenv(name);
		return isBlank(value) ? defaultValue : value.trim();
	}

	private static boolean isBlank(String value) {
		return value == null || value.isBlank();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
