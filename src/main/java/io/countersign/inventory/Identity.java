package io.countersign.inventory;

import java.time.Instant;
import java.util.List;

public record Identity(String id, String owner, String description, Environment environment, IdentityStatus status,
		List<String> privileges, List<Consumer> consumers, List<Credential> credentials, Instant createdAt,
		Instant updatedAt, PrivilegeLevel privilegeLevel, String target) {

	/** The target of identities that name none: Countersign's own inventory tables. */
	public static final String DEFAULT_TARGET = "inventory";

	public Identity(String id, String owner, String description, Environment environment, IdentityStatus status,
			List<String> privileges, List<Consumer> consumers, List<Credential> credentials, Instant createdAt,
			Instant updatedAt, PrivilegeLevel privilegeLevel) {
		this(id, owner, description, environment, status, privileges, consumers, credentials, createdAt, updatedAt,
				privilegeLevel, DEFAULT_TARGET);
	}

	/** {@code isolated}: the workload no longer receives the identity (a {@code workload.isolate} action). */
	public record Consumer(String name, boolean customerFacing, Instant lastUsedAt, boolean isolated) {

		public Consumer(String name, boolean customerFacing, Instant lastUsedAt) {
			this(name, customerFacing, lastUsedAt, false);
		}

	}

	public record Credential(String id, CredentialKind kind, CredentialStatus status, int currentVersion,
			List<CredentialVersion> versions, String createdBy) {

		public CredentialVersion version(int number) {
			return this.versions.stream().filter(v -> v.version() == number).findFirst().orElse(null);
		}

	}

	/** {@code status} is ACTIVE for the version in use, RETIRED once replaced, ROLLED_BACK when undone. */
	public record CredentialVersion(int version, String status, String fingerprint, Instant createdAt,
			Instant retiredAt) {
	}

	/** Whether any workload depending on this identity serves customers. */
	public boolean customerFacing() {
		return this.consumers.stream().anyMatch(Consumer::customerFacing);
	}

	public Credential credential(String credentialId) {
		return this.credentials.stream().filter(c -> c.id().equals(credentialId)).findFirst().orElse(null);
	}

}
