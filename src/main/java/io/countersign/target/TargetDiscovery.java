package io.countersign.target;

import java.util.List;

import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;

/**
 * A connector that can list the identities its system holds, for {@code POST /api/v1/targets/{name}/sync}. Reading
 * only: discovery never changes the system.
 */
public interface TargetDiscovery {

	/**
	 * @throws io.countersign.action.ConnectorException when the system cannot be read now
	 */
	List<Discovered> discover();

	/**
	 * One identity as the system knows it: an id usable in the inventory, the privileges the system grants it, and its
	 * credentials in the system's own ids.
	 */
	record Discovered(String identity, String description, List<String> privileges,
			List<DiscoveredCredential> credentials) {

		public Discovered {
			privileges = privileges == null ? List.of() : List.copyOf(privileges);
			credentials = credentials == null ? List.of() : List.copyOf(credentials);
		}

	}

	/** {@code fingerprint}: {@code sha256:} of what identifies the current secret version, when the system tells. */
	record DiscoveredCredential(String id, CredentialKind kind, CredentialStatus status, String fingerprint) {
	}

}
