package io.countersign.connector.postgresql;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and changes the login roles of one PostgreSQL {@link PostgresTarget}.
 *
 * <p>
 * <b>Connections.</b> Every operation opens a connection of its own with {@link DriverManager} and closes it when
 * done: role changes are rare, and a pool would keep admin sessions open on a customer's server for nothing. It is
 * never Countersign's own DataSource, which would let a role change land in the wrong database. Connect, socket,
 * statement and lock timeouts keep a slow or locked target from holding an engine job for long.
 *
 * <p>
 * <b>Role names.</b> {@code ALTER ROLE}, {@code GRANT} and {@code REVOKE} are utility statements and take no bind
 * parameters, so a role name has to be part of the SQL text. It gets there only after matching {@link #ROLE_NAME}
 * (letters, digits, {@code _ . $ -}, at most 63 characters, PostgreSQL's limit) and then double-quoted, so a name
 * can neither end the identifier nor be case-folded into another role's. Anything else is refused before a
 * connection is opened. In queries role names are bind parameters.
 *
 * <p>
 * <b>Passwords.</b> See {@link #rotate}: only a SCRAM verifier computed here is ever sent.
 *
 * <p>
 * <b>Its own login.</b> No operation changes the role this target connects as ({@code session_user}): rotating it
 * would leave the configured password stale, disabling or cutting it down would lock Countersign out of the target.
 */
class PostgresRoles {

	/** The only role names that reach SQL; everything else is refused before anything is sent. */
	static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$-]{0,62}");

	static final int MATERIAL_BYTES = 32;

	static final int CONNECT_TIMEOUT_SECONDS = 5;

	static final int SOCKET_TIMEOUT_SECONDS = 30;

	static final int STATEMENT_TIMEOUT_MILLIS = 15_000;

	static final int LOCK_TIMEOUT_MILLIS = 5_000;

	/** How long {@code pg_terminate_backend} waits for a session to be gone before it reports failure. */
	static final long TERMINATE_WAIT_MILLIS = 5_000;

	private static final String APPLICATION_NAME = "countersign-postgres-roles";

	/** SQLSTATE 42501. */
	private static final String INSUFFICIENT_PRIVILEGE = "42501";

	/** SQLSTATE 28P01: wrong password, or one past its VALID UNTIL. */
	private static final String INVALID_PASSWORD = "28P01";

	/** SQLSTATE 28000: the role may not log in (NOLOGIN, unknown role, no pg_hba.conf line). */
	private static final String INVALID_AUTHORIZATION = "28000";

	private static final Logger log = LoggerFactory.getLogger(PostgresRoles.class);

	private final PostgresTarget target;

	private final ConnectionSource connections;

	private final SecureRandom random;

	PostgresRoles(PostgresTarget target) {
		this(target, () -> connect(target.jdbcUrl(), target.username(), target.password(), APPLICATION_NAME),
				new SecureRandom());
	}

	/** For tests, which record every statement sent. */
	PostgresRoles(PostgresTarget target, ConnectionSource connections, SecureRandom random) {
		this.target = target;
		this.connections = connections;
		this.random = random;
	}

	/**
	 * Reads a role from {@code pg_roles}, {@code pg_auth_members} and, for its password verifier, {@code pg_authid}.
	 * Reading {@code pg_authid} needs superuser; without it the state is still complete except for the verifier,
	 * whose kind is then {@link PasswordVerifier.Kind#UNREADABLE} with the reason.
	 */
	RoleState describe(String role) {
		String name = requireRoleName(role);
		try (Connection connection = this.connections.open()) {
			boolean canLogin;
			Instant validUntil;
			try (PreparedStatement statement = connection.prepareStatement("""
					SELECT rolcanlogin,
					       CASE WHEN pg_catalog.isfinite(rolvaliduntil) THEN rolvaliduntil END,
					       rolvaliduntil = '-infinity'
					FROM pg_catalog.pg_roles WHERE rolname = ?""")) {
				statement.setString(1, name);
				try (ResultSet row = statement.executeQuery()) {
					if (!row.next()) {
						return RoleState.missing(name);
					}
					canLogin = row.getBoolean(1);
					OffsetDateTime until = row.getObject(2, OffsetDateTime.class);
					validUntil = row.getBoolean(3) ? Instant.MIN : (until != null) ? until.toInstant() : null;
				}
			}
			return new RoleState(name, true, canLogin, validUntil, memberOf(connection, name),
					passwordVerifier(connection, name));
		}
		catch (SQLException ex) {
			throw failure("describe", name, ex);
		}
	}

	/**
	 * The login roles a sync imports: those that can log in or have a password, except PostgreSQL's own
	 * ({@code pg_*}), superusers (an approved action must not be the way to reach one) and the role this target logs
	 * in as. Names that {@link #ROLE_NAME} refuses are left out: no action could name them.
	 */
	List<RoleState> loginRoles() {
		List<String> names = new ArrayList<>();
		try (Connection connection = this.connections.open()) {
			try {
				// pg_roles masks every password; only pg_authid (superuser) tells which roles have one, so a role
				// that lost its login but keeps its password is still listed.
				names.addAll(roleNames(connection, "pg_authid", "rolcanlogin OR rolpassword IS NOT NULL"));
			}
			catch (SQLException ex) {
				if (!"42501".equals(ex.getSQLState())) {
					throw ex;
				}
				names.addAll(roleNames(connection, "pg_roles", "rolcanlogin"));
			}
		}
		catch (SQLException ex) {
			throw new PostgresRoleException("Could not list the login roles on " + this.target.jdbcUrl() + ": "
					+ ex.getMessage() + " [SQLSTATE " + ex.getSQLState() + "]", ex.getSQLState(), ex);
		}
		return names.stream().map(this::describe).toList();
	}

	private static List<String> roleNames(Connection connection, String catalog, String condition)
			throws SQLException {
		List<String> names = new ArrayList<>();
		// catalog and condition are constants of this class, never input.
		try (PreparedStatement statement = connection.prepareStatement("SELECT rolname FROM pg_catalog." + catalog
				+ " WHERE (" + condition + ") AND NOT rolsuper AND rolname NOT LIKE 'pg\\_%' AND rolname <> current_user"
				+ " ORDER BY rolname"); ResultSet rows = statement.executeQuery()) {
			while (rows.next()) {
				String name = rows.getString(1);
				if (ROLE_NAME.matcher(name).matches()) {
					names.add(name);
				}
			}
		}
		return names;
	}

	/**
	 * Gives the role a new random password and returns it; the caller hands it to the secret sink and keeps only
	 * the fingerprint. Nothing here logs it, and it never reaches the server.
	 *
	 * <p>
	 * Why a verifier: {@code ALTER ROLE ... PASSWORD 'plaintext'} puts the password into the statement text, and the
	 * server writes statement text to its log under {@code log_statement = all} (or {@code ddl}), to
	 * {@code pg_stat_statements}, to {@code pg_stat_activity.query} and into error reports, where a DBA, a log
	 * shipper or a backup would read it. When the string given to {@code PASSWORD} already is a SCRAM-SHA-256
	 * verifier, PostgreSQL stores it as it is. So the salt, StoredKey and ServerKey are computed here
	 * ({@link ScramSha256}) and only that verifier is sent. It lets nobody log in (a SCRAM client must prove it knows
	 * the password, not the keys), and with 256 random bits of material it cannot be brute-forced back.
	 */
	RotatedPassword rotate(String role) {
		RotatedPassword planned = plan(role);
		setPassword(planned);
		return planned;
	}

	/**
	 * New random material and its SCRAM verifier, computed here and sent nowhere yet: a caller that must hand the
	 * material over before the server has it (so a crash in between never leaves a password nobody received) plans
	 * first and {@link #setPassword sets} after.
	 */
	RotatedPassword plan(String role) {
		String name = requireRoleName(role);
		byte[] raw = new byte[MATERIAL_BYTES];
		this.random.nextBytes(raw);
		String material = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
		return new RotatedPassword(name, material, fingerprint(material),
				ScramSha256.verifier(material, this.random));
	}

	/** Sets a {@link #plan planned} password: only its verifier reaches the server. */
	void setPassword(RotatedPassword planned) {
		String name = requireRoleName(planned.role());
		try (Connection connection = this.connections.open()) {
			refuseOwnLogin(connection, name);
			execute(connection, "ALTER ROLE " + quote(name) + " PASSWORD " + verifierLiteral(planned.verifier()));
		}
		catch (SQLException ex) {
			throw failure("rotate the password", name, ex);
		}
		log.info("Set a new password verifier for role {} on {}", name, this.target.jdbcUrl());
	}

	/**
	 * Whether {@code material} is the role's password, judged by the server's stored SCRAM verifier alone: StoredKey
	 * and ServerKey are recomputed with the verifier's salt and iteration count. This works on a server that trusts
	 * every login, where trying to log in proves nothing. False for a missing role, a role without a password and
	 * any verifier that is not SCRAM-SHA-256.
	 * @throws PostgresRoleException when the connecting role may not read {@code pg_authid}: that is no answer
	 */
	boolean verifyPassword(String role, String material) {
		String name = requireRoleName(role);
		String stored;
		try (Connection connection = this.connections.open();
				PreparedStatement statement = connection
					.prepareStatement("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = ?")) {
			statement.setString(1, name);
			try (ResultSet row = statement.executeQuery()) {
				if (!row.next()) {
					return false;
				}
				stored = row.getString(1);
			}
		}
		catch (SQLException ex) {
			throw failure("read the password verifier", name, ex);
		}
		return ScramSha256.matches(material, stored);
	}

	/**
	 * Whether the role can log in to the target with {@code material}, by trying it: true when the login succeeds,
	 * false when the server refuses the password or the role ({@code 28P01}, {@code 28000}). Meaningful only where
	 * {@code pg_hba.conf} asks this client for a password; a server that trusts the client lets a LOGIN role in with
	 * any password. Use a {@code scram-sha-256} rule: with {@code password} the material would cross the wire in
	 * clear.
	 * @throws PostgresRoleException when the server cannot be reached or fails otherwise: no answer either way
	 */
	boolean verifyByLogin(String role, String material) {
		String name = requireRoleName(role);
		try (Connection ignored = connect(this.target.jdbcUrl(), name, material, APPLICATION_NAME + "-login-check")) {
			return true;
		}
		catch (SQLException ex) {
			if (INVALID_PASSWORD.equals(ex.getSQLState()) || INVALID_AUTHORIZATION.equals(ex.getSQLState())) {
				return false;
			}
			throw failure("log in as", name, ex);
		}
	}

	/**
	 * Takes the role's LOGIN away, then ends every session it has open. In that order and in two transactions: once
	 * NOLOGIN is committed nobody can log in again, so no session can slip in after the sweep.
	 * @return how many sessions were terminated
	 */
	int disable(String role) {
		String name = requireRoleName(role);
		try (Connection connection = this.connections.open()) {
			refuseOwnLogin(connection, name);
			execute(connection, "ALTER ROLE " + quote(name) + " NOLOGIN");
			int terminated;
			try {
				terminated = terminate(connection, name);
			}
			catch (SQLException ex) {
				throw failure("terminate the sessions (the role is already NOLOGIN) of", name, ex);
			}
			log.info("Disabled login of role {} on {} and terminated {} session(s)", name, this.target.jdbcUrl(),
					terminated);
			return terminated;
		}
		catch (SQLException ex) {
			throw failure("disable", name, ex);
		}
	}

	/**
	 * Ends every session the role has open, changing nothing else: for a role that is NOLOGIN already.
	 * @return how many sessions were terminated
	 */
	int terminateSessions(String role) {
		String name = requireRoleName(role);
		try (Connection connection = this.connections.open()) {
			refuseOwnLogin(connection, name);
			return terminate(connection, name);
		}
		catch (SQLException ex) {
			throw failure("terminate the sessions of", name, ex);
		}
	}

	private static int terminate(Connection connection, String name) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("""
				SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid, ?))
				FROM pg_catalog.pg_stat_activity
				WHERE usename = ? AND pid <> pg_catalog.pg_backend_pid()""")) {
			statement.setLong(1, TERMINATE_WAIT_MILLIS);
			statement.setString(2, name);
			try (ResultSet row = statement.executeQuery()) {
				row.next();
				return row.getInt(1);
			}
		}
	}

	/** Gives the role its LOGIN back. */
	void enable(String role) {
		String name = requireRoleName(role);
		try (Connection connection = this.connections.open()) {
			refuseOwnLogin(connection, name);
			execute(connection, "ALTER ROLE " + quote(name) + " LOGIN");
		}
		catch (SQLException ex) {
			throw failure("enable", name, ex);
		}
		log.info("Enabled login of role {} on {}", name, this.target.jdbcUrl());
	}

	/**
	 * Removes the role from each of {@code roles} it is a direct member of, all or none in one transaction.
	 * @return the memberships actually removed, in the order given (what an undo has to grant back)
	 */
	List<String> revokeMemberships(String role, Collection<String> roles) {
		return changeMemberships(role, roles, false);
	}

	/**
	 * Makes the role a direct member of each of {@code roles} it is not yet a member of, all or none in one
	 * transaction.
	 * @return the memberships actually added, in the order given
	 */
	List<String> grantMemberships(String role, Collection<String> roles) {
		return changeMemberships(role, roles, true);
	}

	/** How many sessions the role has open on the target's server, in any database. */
	int sessions(String role) {
		String name = requireRoleName(role);
		try (Connection connection = this.connections.open();
				PreparedStatement statement = connection
					.prepareStatement("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE usename = ?")) {
			statement.setString(1, name);
			try (ResultSet row = statement.executeQuery()) {
				row.next();
				return row.getInt(1);
			}
		}
		catch (SQLException ex) {
			throw failure("count the sessions of", name, ex);
		}
	}

	private List<String> changeMemberships(String role, Collection<String> roles, boolean grant) {
		String name = requireRoleName(role);
		// Every name is checked before the first statement, so a bad one cannot leave half a change behind.
		Set<String> groups = new LinkedHashSet<>();
		for (String group : roles) {
			groups.add(requireRoleName(group));
		}
		String verb = grant ? "grant memberships to" : "revoke memberships of";
		try (Connection connection = this.connections.open()) {
			refuseOwnLogin(connection, name);
			connection.setAutoCommit(false);
			try {
				List<String> current = memberOf(connection, name);
				List<String> changed = new ArrayList<>();
				for (String group : groups) {
					if (current.contains(group) == grant) {
						continue;
					}
					execute(connection, grant ? "GRANT " + quote(group) + " TO " + quote(name)
							: "REVOKE " + quote(group) + " FROM " + quote(name));
					changed.add(group);
				}
				connection.commit();
				log.info("{} role {} on {}: {}", grant ? "Granted to" : "Revoked from", name, this.target.jdbcUrl(),
						changed);
				return List.copyOf(changed);
			}
			catch (SQLException | RuntimeException ex) {
				connection.rollback();
				throw ex;
			}
		}
		catch (SQLException ex) {
			throw failure(verb, name, ex);
		}
	}

	private static List<String> memberOf(Connection connection, String name) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("""
				SELECT g.rolname
				FROM pg_catalog.pg_auth_members m
				JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
				JOIN pg_catalog.pg_roles r ON r.oid = m.member
				WHERE r.rolname = ?
				ORDER BY g.rolname""")) {
			statement.setString(1, name);
			List<String> groups = new ArrayList<>();
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					groups.add(rows.getString(1));
				}
			}
			return groups;
		}
	}

	private PasswordVerifier passwordVerifier(Connection connection, String name) throws SQLException {
		String stored;
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = ?")) {
			statement.setString(1, name);
			try (ResultSet row = statement.executeQuery()) {
				stored = row.next() ? row.getString(1) : null;
			}
		}
		catch (SQLException ex) {
			if (!INSUFFICIENT_PRIVILEGE.equals(ex.getSQLState())) {
				throw ex;
			}
			// Autocommit: the failed query ended its own transaction, the connection is still usable.
			return PasswordVerifier.unreadable("reading pg_authid needs superuser, and " + this.target.username()
					+ " is not (" + ex.getMessage() + ")");
		}
		if (stored == null) {
			return PasswordVerifier.none();
		}
		PasswordVerifier.Kind kind = stored.startsWith("SCRAM-SHA-256$") ? PasswordVerifier.Kind.SCRAM_SHA_256
				: (stored.startsWith("md5") && stored.length() == 35) ? PasswordVerifier.Kind.MD5
						: PasswordVerifier.Kind.OTHER;
		return new PasswordVerifier(kind, fingerprint(stored), null);
	}

	private static void refuseOwnLogin(Connection connection, String name) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet row = statement.executeQuery("SELECT session_user")) {
			row.next();
			if (name.equals(row.getString(1))) {
				throw new PostgresRoleException("Refused to change role " + name
						+ ": it is the role this target connects as, and changing it could lock Countersign out");
			}
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * The role name, once it matches {@link #ROLE_NAME}.
	 * @throws IllegalArgumentException for anything else, before a connection is opened
	 */
	static String requireRoleName(String role) {
		if (role == null || !ROLE_NAME.matcher(role).matches()) {
			// Not echoed: a refused name is attacker-chosen text and has no business in a log line.
			throw new IllegalArgumentException("Refused a role name that is not 1-63 characters of letters, digits and"
					+ " _ . $ - starting with a letter or _");
		}
		return role;
	}

	/** Double-quotes a name that already passed {@link #requireRoleName}; the doubling is belt and braces. */
	static String quote(String name) {
		return "\"" + requireRoleName(name).replace("\"", "\"\"") + "\"";
	}

	private static String verifierLiteral(String verifier) {
		// The verifier alphabet (base64, digits, $ : -) has no quote or backslash, checked rather than assumed.
		if (!ScramSha256.isVerifier(verifier)) {
			throw new IllegalStateException("not a SCRAM-SHA-256 verifier");
		}
		return "'" + verifier + "'";
	}

	static String fingerprint(String text) {
		return "sha256:" + HexFormat.of().formatHex(ScramSha256.sha256(text.getBytes(StandardCharsets.UTF_8)));
	}

	private PostgresRoleException failure(String what, String name, SQLException ex) {
		return new PostgresRoleException("Could not " + what + " role " + name + " on " + this.target.jdbcUrl() + ": "
				+ ex.getMessage() + " [SQLSTATE " + ex.getSQLState() + "]", ex.getSQLState(), ex);
	}

	static Connection connect(String jdbcUrl, String user, String password, String applicationName)
			throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", user);
		if (password != null && !password.isEmpty()) {
			properties.setProperty("password", password);
		}
		properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
		properties.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 2));
		properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
		properties.setProperty("ApplicationName", applicationName);
		// search_path too: with only pg_catalog on it, an object someone created elsewhere cannot stand in for a
		// catalog name (the statements above qualify them anyway).
		properties.setProperty("options", "-c statement_timeout=" + STATEMENT_TIMEOUT_MILLIS + " -c lock_timeout="
				+ LOCK_TIMEOUT_MILLIS + " -c search_path=pg_catalog");
		return DriverManager.getConnection(jdbcUrl, properties);
	}

	/** Opens a new connection to the target as its configured user; the caller closes it. */
	@FunctionalInterface
	interface ConnectionSource {

		Connection open() throws SQLException;

	}

}
