package io.countersign.connector.keycloak;

import java.net.URI;
import java.time.Duration;

/**
 * Where a Keycloak realm lives and how Countersign logs in to administer it.
 *
 * <p>Two ways to log in, both against {@link #authRealm()} (the realm that holds the administrator, by default
 * {@code master}): a confidential client with {@link #clientSecret()} through the {@code client_credentials} grant (the
 * better choice: a service account that only needs {@code realm-management} roles in the target realm, and whose secret
 * can itself be rotated), or a user with {@link #password()} through the {@code password} grant against Keycloak's
 * {@code admin-cli} client, in which case {@link #clientId()} is ignored.
 *
 * <p>{@link #toString()} hides the client secret and the password, so a target can be logged or end up in an error
 * message without giving away the keys to the realm.
 *
 * @param url the server's base URL, e.g. {@code https://sso.example.com} (no {@code /admin}, no {@code /realms})
 * @param realm the realm whose clients are managed
 * @param authRealm the realm the administrator logs in to; {@code null} or blank means {@code master}
 * @param clientId the administrator's client for {@code client_credentials}; {@code null} for the password grant
 * @param clientSecret that client's secret
 * @param username the administrator's user name for the password grant; {@code null} for {@code client_credentials}
 * @param password that user's password
 * @param timeout how long one call may take to connect, and then again to answer; {@code null} means 10 seconds
 */
public record KeycloakTarget(String url, String realm, String authRealm, String clientId, String clientSecret,
		String username, String password, Duration timeout) {

	static final String DEFAULT_AUTH_REALM = "master";

	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/** The client Keycloak creates in every realm for its own admin tools; the password grant goes through it. */
	static final String ADMIN_CLI = "admin-cli";

	public KeycloakTarget {
		if (url == null || url.isBlank()) {
			throw new IllegalArgumentException("A Keycloak target needs the server's url");
		}
		URI parsed = URI.create(url.strip());
		if (!"https".equalsIgnoreCase(parsed.getScheme()) && !"http".equalsIgnoreCase(parsed.getScheme())) {
			throw new IllegalArgumentException("A Keycloak target's url must be http(s): " + url);
		}
		if (parsed.getRawUserInfo() != null) {
			// Credentials in the URL would be printed wherever the URL is.
			throw new IllegalArgumentException("A Keycloak target's url must not carry credentials");
		}
		url = stripTrailingSlashes(url.strip());
		if (realm == null || realm.isBlank()) {
			throw new IllegalArgumentException("A Keycloak target needs the realm whose clients it manages");
		}
		authRealm = (authRealm == null || authRealm.isBlank()) ? DEFAULT_AUTH_REALM : authRealm;
		boolean client = clientSecret != null && !clientSecret.isEmpty();
		boolean user = username != null && !username.isBlank();
		if (client == user) {
			throw new IllegalArgumentException("A Keycloak target logs in either with client-id and client-secret "
					+ "(client_credentials) or with username and password, exactly one of them");
		}
		if (client && (clientId == null || clientId.isBlank())) {
			throw new IllegalArgumentException("A Keycloak target's client-secret needs its client-id");
		}
		if (user && (password == null || password.isEmpty())) {
			throw new IllegalArgumentException("A Keycloak target's username needs its password");
		}
		timeout = (timeout == null) ? DEFAULT_TIMEOUT : timeout;
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("A Keycloak target's timeout must be positive: " + timeout);
		}
	}

	/** An administrator logging in as a client with {@code client_credentials}. */
	public static KeycloakTarget withClient(String url, String realm, String authRealm, String clientId,
			String clientSecret, Duration timeout) {
		return new KeycloakTarget(url, realm, authRealm, clientId, clientSecret, null, null, timeout);
	}

	/** An administrator logging in as a user with the {@code password} grant through {@code admin-cli}. */
	public static KeycloakTarget withUser(String url, String realm, String authRealm, String username, String password,
			Duration timeout) {
		return new KeycloakTarget(url, realm, authRealm, null, null, username, password, timeout);
	}

	boolean usesClientCredentials() {
		return this.clientSecret != null && !this.clientSecret.isEmpty();
	}

	@Override
	public String toString() {
		String login = usesClientCredentials() ? "clientId=" + this.clientId + ", clientSecret=***"
				: "username=" + this.username + ", password=***";
		return "KeycloakTarget[url=" + this.url + ", realm=" + this.realm + ", authRealm=" + this.authRealm + ", "
				+ login + ", timeout=" + this.timeout + "]";
	}

	private static String stripTrailingSlashes(String url) {
		String result = url;
		while (result.endsWith("/")) {
			result = result.substring(0, result.length() - 1);
		}
		return result;
	}

}
