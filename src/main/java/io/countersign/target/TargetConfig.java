package io.countersign.target;

import java.time.Duration;

/**
 * One target's settings, {@code countersign.targets.<name>.*}. Which settings a type needs is checked when the
 * application starts ({@link Targets}), so a mistyped target stops the start rather than the first approved action.
 *
 * @param type {@code inventory}, {@code keycloak}, {@code postgresql} or {@code webhook}
 * @param url Keycloak's base URL
 * @param realm the Keycloak realm that holds the identities
 * @param authRealm the realm the admin credentials belong to; {@code master} when not set
 * @param clientId with {@code clientSecret}: Keycloak admin credentials (client credentials grant)
 * @param username with {@code password}: Keycloak admin user, or the PostgreSQL user that manages roles
 * @param jdbcUrl the PostgreSQL cluster, e.g. {@code jdbc:postgresql://db.internal:5432/postgres}
 * @param timeout the longest wait for the target's answer; 10 seconds when not set
 * @param syncEvery how often the target's identities are imported into the inventory; never when not set
 */
public record TargetConfig(TargetType type, String url, String realm, String authRealm, String clientId,
		String clientSecret, String username, String password, String jdbcUrl, Duration timeout, Duration syncEvery) {

	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	public TargetConfig {
		authRealm = authRealm == null || authRealm.isBlank() ? "master" : authRealm;
		timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
	}

	@Override
	public String toString() {
		// Records print every component; secrets must never reach a log or an error page.
		return "TargetConfig[type=" + this.type + ", url=" + this.url + ", realm=" + this.realm + ", authRealm="
				+ this.authRealm + ", clientId=" + this.clientId + ", clientSecret="
				+ (this.clientSecret == null ? "(unset)" : "(set)") + ", username=" + this.username + ", password="
				+ (this.password == null ? "(unset)" : "(set)") + ", jdbcUrl=" + this.jdbcUrl + ", timeout="
				+ this.timeout + ", syncEvery=" + this.syncEvery + "]";
	}

}
