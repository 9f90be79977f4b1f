package io.countersign.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code countersign.oidc}: the OpenID Connect provider of profile {@code keycloak}. One confidential client serves the
 * webapps' login, and its service account (realm-management {@code view-users} and {@code query-groups}) lets the
 * engine read users and groups.
 *
 * @param issuer the realm's issuer URL, e.g. {@code https://sso.example.com/realms/acme}
 * @param clientId the confidential client
 * @param clientSecret its secret; never logged
 * @param groupsClaim the claim of a token that names the user's groups; a dotted path reaches into nested objects
 * ({@code realm_access.roles})
 * @param adminUrl the realm's admin REST API; empty: derived from the issuer
 */
@ConfigurationProperties("countersign.oidc")
record OidcProperties(String issuer, String clientId, String clientSecret, String groupsClaim, String adminUrl) {

	static final String DEFAULT_GROUPS_CLAIM = "groups";

	OidcProperties {
		groupsClaim = (groupsClaim == null || groupsClaim.isBlank()) ? DEFAULT_GROUPS_CLAIM : groupsClaim.strip();
	}

	/** Keycloak serves a realm's admin API next to it: {@code …/realms/acme} becomes {@code …/admin/realms/acme}. */
	String realmAdminUrl() {
		if (this.adminUrl != null && !this.adminUrl.isBlank()) {
			return this.adminUrl;
		}
		String issuer = (this.issuer == null) ? "" : this.issuer.replaceAll("/+$", "");
		int realms = issuer.lastIndexOf("/realms/");
		if (realms < 0) {
			throw new IllegalStateException("countersign.oidc.issuer (COUNTERSIGN_OIDC_ISSUER) is not a Keycloak realm URL"
					+ " (…/realms/<realm>); set countersign.oidc.admin-url (COUNTERSIGN_OIDC_ADMIN_URL) explicitly");
		}
		return issuer.substring(0, realms) + "/admin" + issuer.substring(realms);
	}

}
