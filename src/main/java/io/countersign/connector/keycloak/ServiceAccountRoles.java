package io.countersign.connector.keycloak;

import java.util.Map;
import java.util.Set;

/**
 * The roles mapped directly to a client's service-account user: what can be removed and added back. Roles it gets
 * only through a composite (such as the realm's {@code default-roles-<realm>}) are not listed.
 *
 * @param realmRoles realm role names
 * @param clientRoles role names by the {@code clientId} of the client that defines them
 */
record ServiceAccountRoles(Set<String> realmRoles, Map<String, Set<String>> clientRoles) {

	ServiceAccountRoles {
		realmRoles = Set.copyOf(realmRoles);
		clientRoles = Map.copyOf(clientRoles);
	}

	Set<String> clientRoles(String clientId) {
		return this.clientRoles.getOrDefault(clientId, Set.of());
	}

}
