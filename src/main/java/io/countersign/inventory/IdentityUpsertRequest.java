package io.countersign.inventory;

import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What an integrator knows about an identity. Credentials carry at most a fingerprint
 * ({@code sha256:<64 hex>}): the pattern refuses anything that could be pasted secret material.
 */
public record IdentityUpsertRequest(@NotBlank @Size(max = 128) String owner, @Size(max = 1000) String description,
		@NotNull Environment environment, IdentityStatus status,
		@Size(max = 100) List<@NotBlank @Size(max = 256) String> privileges,
		@Size(max = 200) List<@Valid ConsumerRequest> consumers,
		@Size(max = 50) List<@Valid CredentialRequest> credentials, PrivilegeLevel privilegeLevel,
		@Size(max = 64) @Pattern(regexp = TARGET_PATTERN,
				message = "must name a configured target: lower-case words joined by hyphens") String target) {

	public IdentityUpsertRequest(String owner, String description, Environment environment, IdentityStatus status,
			List<String> privileges, List<ConsumerRequest> consumers, List<CredentialRequest> credentials) {
		this(owner, description, environment, status, privileges, consumers, credentials, null, null);
	}

	public IdentityUpsertRequest(String owner, String description, Environment environment, IdentityStatus status,
			List<String> privileges, List<ConsumerRequest> consumers, List<CredentialRequest> credentials,
			PrivilegeLevel privilegeLevel) {
		this(owner, description, environment, status, privileges, consumers, credentials, privilegeLevel, null);
	}

	/** A target's name (countersign.targets.&lt;name&gt;), also usable as a segment of an environment variable. */
	public static final String TARGET_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$";

	public static final String ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$";

	public static final String FINGERPRINT_PATTERN = "^sha256:[0-9a-f]{64}$";

	public record ConsumerRequest(@NotBlank @Size(max = 128) String name, boolean customerFacing,
			Instant lastUsedAt) {
	}

	public record CredentialRequest(@NotBlank @Pattern(regexp = ID_PATTERN) String id, @NotNull CredentialKind kind,
			CredentialStatus status, @Pattern(regexp = FINGERPRINT_PATTERN) String fingerprint,
			@Size(max = 128) String createdBy) {

		public CredentialRequest(String id, CredentialKind kind, CredentialStatus status, String fingerprint) {
			this(id, kind, status, fingerprint, null);
		}

	}

	public List<String> privilegesOrEmpty() {
		return this.privileges == null ? List.of() : this.privileges;
	}

	public List<ConsumerRequest> consumersOrEmpty() {
		return this.consumers == null ? List.of() : this.consumers;
	}

	public List<CredentialRequest> credentialsOrEmpty() {
		return this.credentials == null ? List.of() : this.credentials;
	}

}
