package io.countersign.connector.keycloak;

import java.util.Map;
import java.util.Set;

/**
 * What Keycloak answered to a {@code client_credentials} token request: the proof that a credential works, or that it
 * no longer does. The token itself is not kept.
 *
 * @param status the HTTP status: 200 when Keycloak issued a token, typically 401 ({@code invalid_client}) when it
 * refused the client or its secret
 * @param error Keycloak's OAuth error code when it refused ({@code invalid_client}, {@code unauthorized_client}, ...),
 * otherwise {@code null}
 * @param realmRoles the realm roles in the issued token's {@code realm_access}
 * @param clientRoles the client roles in the issued token's {@code resource_access}, by {@code clientId}
 */
record TokenResult(int status, String error, Set<String> realmRoles, Map<String, Set<String>> clientRoles) {

	TokenResult {
		realmRoles = Set.copyOf(realmRoles);
		clientRoles = Map.copyOf(clientRoles);
	}

	static TokenResult refused(int status, String error) {
		return new TokenResult(status, error, Set.of(), Map.of());
	}

	boolean issued() {
		return this.status == 200;
	}

	Set<String> clientRoles(String clientId) {
		return this.clientRoles.getOrDefault(clientId, Set.of());
	}

}
