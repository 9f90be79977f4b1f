package io.countersign.inventory;

import java.util.List;

/**
 * What one inventory change overwrote, and the value it wrote in its place. Undo puts a {@code was} back only where
 * the change's own {@code set} is still there, so it never reverts what someone else changed since.
 *
 * @param identity the identity the change acted on
 * @param identityStatus the identity's status change, if any
 * @param credentials the credential status changes, one per credential the change actually moved
 * @param removedPrivileges the privileges the change took away
 * @param isolatedConsumer the consumer the change isolated
 * @param rotation the credential version the change made current, and the one it replaced
 */
record BeforeState(String identity, StatusChange identityStatus, List<StatusChange> credentials,
		List<String> removedPrivileges, String isolatedConsumer, Rotation rotation) {

	BeforeState {
		credentials = (credentials == null) ? List.of() : List.copyOf(credentials);
		removedPrivileges = (removedPrivileges == null) ? List.of() : List.copyOf(removedPrivileges);
	}

	static BeforeState ofIdentityStatus(String identity, StatusChange change) {
		return new BeforeState(identity, change, null, null, null, null);
	}

	static BeforeState ofCredentials(String identity, List<StatusChange> changes) {
		return new BeforeState(identity, null, changes, null, null, null);
	}

	static BeforeState ofRemovedPrivileges(String identity, List<String> removed) {
		return new BeforeState(identity, null, null, removed, null, null);
	}

	static BeforeState ofIsolatedConsumer(String identity, String consumer) {
		return new BeforeState(identity, null, null, null, consumer, null);
	}

	static BeforeState ofRotation(String identity, Rotation rotation) {
		return new BeforeState(identity, null, null, null, null, rotation);
	}

	/**
	 * Credential {@code credential} moved from its current version {@code fromVersion} (retired) to the new version
	 * {@code toVersion}. Only fingerprints are in the versions; the material never is.
	 */
	record Rotation(String credential, int fromVersion, int toVersion) {
	}

	/** {@code id} of a credential or an identity moved from status {@code was} to {@code set}. */
	record StatusChange(String id, String was, String set) {
	}

}
