package io.countersign.connector.keycloak;

/**
 * What Countersign needs to know about a client before acting on it.
 *
 * @param id Keycloak's internal id, used in admin API paths (not stable across a re-import of the realm, so never
 * stored: the {@code clientId} is)
 * @param clientId the id the client logs in with, and the credential's native id in the inventory
 * @param enabled whether Keycloak lets the client log in at all
 * @param serviceAccountsEnabled whether the client can get tokens for itself with {@code client_credentials}
 * @param confidential whether the client has a secret (neither public nor bearer-only)
 * @param secretCreatedAt Keycloak's {@code client.secret.creation.time} attribute (epoch seconds), which it sets
 * whenever it generates a secret: which secret version the client holds, without reading the secret; {@code null}
 * when absent (a secret set by an administrator rather than generated)
 */
record KeycloakClient(String id, String clientId, boolean enabled, boolean serviceAccountsEnabled,
		boolean confidential, String secretCreatedAt) {

	/** A non-human identity in Keycloak's sense: a client that logs in as itself with a secret. */
	boolean isServiceAccount() {
		return this.confidential && this.serviceAccountsEnabled;
	}

}
