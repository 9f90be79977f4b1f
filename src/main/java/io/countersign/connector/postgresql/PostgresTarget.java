package io.countersign.connector.postgresql;

import java.util.Locale;
import java.util.Set;

/**
 * A PostgreSQL server whose login roles Countersign may change: {@code countersign.targets.<name>.jdbc-url},
 * {@code .username} and {@code .password}. The user needs {@code CREATEROLE} to change roles, membership in
 * {@code pg_signal_backend} to end their sessions, and superuser to read password verifiers from {@code pg_authid}
 * (without it, {@link PostgresRoles#describe} says the verifier is unreadable and password checks fail).
 *
 * @param jdbcUrl a {@code jdbc:postgresql:} URL without credentials in it
 * @param username the role Countersign logs in as; {@link PostgresRoles} never changes this role
 * @param password its password, or empty when the server trusts the connection
 */
public record PostgresTarget(String jdbcUrl, String username, String password) {

	private static final String SCHEME = "jdbc:postgresql:";

	/** pgjdbc lets URL parameters win over connection properties, so these would replace the login we pass. */
	private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("user", "password");

	public PostgresTarget {
		// Only pgjdbc: DriverManager hands any other URL to whatever driver claims it, and some drivers run code
		// named in the URL (H2's INIT=RUNSCRIPT, for one).
		if (jdbcUrl == null || !jdbcUrl.startsWith(SCHEME)) {
			throw new IllegalArgumentException("jdbc-url must start with " + SCHEME);
		}
		int query = jdbcUrl.indexOf('?');
		if (query >= 0) {
			for (String parameter : jdbcUrl.substring(query + 1).split("&")) {
				String name = parameter.split("=", 2)[0].trim().toLowerCase(Locale.ROOT);
				if (CREDENTIAL_PARAMETERS.contains(name)) {
					throw new IllegalArgumentException(
							"jdbc-url must not carry credentials (" + name + "=); set username and password instead");
				}
			}
		}
		if (username == null || username.isBlank()) {
			throw new IllegalArgumentException("username is required");
		}
		password = (password != null) ? password : "";
	}

	/** Never the password: a target ends up in log lines and exception messages. */
	@Override
	public String toString() {
		return "PostgresTarget[jdbcUrl=" + this.jdbcUrl + ", username=" + this.username + ", password="
				+ (this.password.isEmpty() ? "(none)" : "(set)") + "]";
	}

}
