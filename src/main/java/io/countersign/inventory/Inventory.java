package io.countersign.inventory;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.countersign.action.StagedAction;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads and changes the NHI inventory. Every change an action makes is keyed by the action's
 * idempotency key, so a retried job finds its earlier effect instead of applying twice.
 */
@Service
public class Inventory {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;

	private final Clock clock;

	Inventory(JdbcClient jdbc) {
		this.jdbc = jdbc;
		this.clock = Clock.systemUTC();
	}

	@Transactional(readOnly = true)
	public Optional<Identity> find(String identityId) {
		long count = this.jdbc.sql("select count(*) from nhi_identity where id = ?")
			.param(identityId)
			.query(Long.class)
			.single();
		return count == 0 ? Optional.empty() : Optional.of(load(identityId));
	}

	/** The identity that owns a credential, if the credential exists. */
	@Transactional(readOnly = true)
	public Optional<String> identityOfCredential(String credentialId) {
		return this.jdbc.sql("select identity_id from nhi_credential where id = ?")
			.param(credentialId)
			.query(String.class)
			.optional();
	}

	/**
	 * Creates or replaces an identity's attributes, privileges and consumers. Credentials are
	 * added or updated but never deleted: their version history is evidence.
	 */
	@Transactional
	public Identity upsert(String identityId, IdentityUpsertRequest request) {
		Instant now = this.clock.instant();
		for (IdentityUpsertRequest.CredentialRequest credential : request.credentialsOrEmpty()) {
			Optional<String> owner = identityOfCredential(credential.id());
			if (owner.isPresent() && !owner.get().equals(identityId)) {
				throw new InventoryConflictException(
						"credential '" + credential.id() + "' belongs to identity '" + owner.get() + "'");
			}
		}
		IdentityStatus status = request.status() == null ? IdentityStatus.ACTIVE : request.status();
		int updated = this.jdbc
			.sql("update nhi_identity set owner = ?, description = ?, environment = ?, status = ?, privilege_level = ?, updated_at = ? where id = ?")
			.params(request.owner(), request.description(), request.environment().name(), status.name(),
					level(request.privilegeLevel()), ts(now), identityId)
			.update();
		if (updated == 0) {
			this.jdbc.sql("""
					insert into nhi_identity (id, owner, description, environment, status, privilege_level, created_at, updated_at)
					values (?, ?, ?, ?, ?, ?, ?, ?)""")
				.params(identityId, request.owner(), request.description(), request.environment().name(),
						status.name(), level(request.privilegeLevel()), ts(now), ts(now))
				.update();
		}
		this.jdbc.sql("delete from nhi_privilege where identity_id = ?").param(identityId).update();
		for (String privilege : request.privilegesOrEmpty().stream().distinct().toList()) {
			this.jdbc.sql("insert into nhi_privilege (identity_id, privilege) values (?, ?)")
				.params(identityId, privilege)
				.update();
		}
		this.jdbc.sql("delete from nhi_consumer where identity_id = ?").param(identityId).update();
		Map<String, IdentityUpsertRequest.ConsumerRequest> consumers = new LinkedHashMap<>();
		request.consumersOrEmpty().forEach(consumer -> consumers.put(consumer.name(), consumer));
		for (IdentityUpsertRequest.ConsumerRequest consumer : consumers.values()) {
			this.jdbc
				.sql("insert into nhi_consumer (identity_id, name, customer_facing, last_used_at) values (?, ?, ?, ?)")
				.params(identityId, consumer.name(), consumer.customerFacing(), ts(consumer.lastUsedAt()))
				.update();
		}
		for (IdentityUpsertRequest.CredentialRequest credential : request.credentialsOrEmpty()) {
			upsertCredential(identityId, credential, now);
		}
		return load(identityId);
	}

	private void upsertCredential(String identityId, IdentityUpsertRequest.CredentialRequest request, Instant now) {
		CredentialStatus status = request.status() == null ? CredentialStatus.ACTIVE : request.status();
		Optional<Integer> current = this.jdbc.sql("select current_version from nhi_credential where id = ?")
			.param(request.id())
			.query(Integer.class)
			.optional();
		if (current.isEmpty()) {
			this.jdbc.sql("""
					insert into nhi_credential (id, identity_id, kind, status, current_version, created_by, updated_at)
					values (?, ?, ?, ?, 1, ?, ?)""")
				.params(request.id(), identityId, request.kind().name(), status.name(), request.createdBy(), ts(now))
				.update();
			insertVersion(request.id(), 1, request.fingerprint(), now, null);
			return;
		}
		// Who created a credential is a fact of its past: a later report without it does not erase it.
		this.jdbc.sql("update nhi_credential set kind = ?, status = ?, created_by = coalesce(?, created_by), updated_at = ? where id = ?")
			.params(request.kind().name(), status.name(), request.createdBy(), ts(now), request.id())
			.update();
		String currentFingerprint = this.jdbc
			.sql("select fingerprint from nhi_credential_version where credential_id = ? and version = ?")
			.params(request.id(), current.get())
			.query(String.class)
			.optional()
			.orElse(null);
		// A different fingerprint means the credential was rotated outside Countersign: record it as a new version.
		if (request.fingerprint() != null && !request.fingerprint().equals(currentFingerprint)) {
			rotateTo(request.id(), current.get(), current.get() + 1, request.fingerprint(), now, null);
		}
	}

	/**
	 * Makes {@code toVersion} the active version and retires {@code fromVersion}. Applying the
	 * same change key twice returns without changing anything.
	 * @throws InventoryConflictException when the credential is no longer at {@code fromVersion}
	 * or is not active
	 */
	@Transactional(noRollbackFor = InventoryConflictException.class)
	public void rotate(String credentialId, int fromVersion, int toVersion, String changeKey) {
		if (versionWithChangeKey(credentialId, changeKey).isPresent()) {
			return;
		}
		CredentialRow credential = credentialRow(credentialId);
		if (!CredentialStatus.ACTIVE.name().equals(credential.status())) {
			throw new InventoryConflictException(
					"credential '" + credentialId + "' is " + credential.status() + ", not ACTIVE");
		}
		if (credential.currentVersion() != fromVersion) {
			throw new InventoryConflictException("credential '" + credentialId + "' is at version "
					+ credential.currentVersion() + ", the staged rotation expected version " + fromVersion);
		}
		// The new material lives only at the target; the inventory keeps its fingerprint.
		byte[] material = new byte[32];
		RANDOM.nextBytes(material);
		String fingerprint = StagedAction.sha256(HexFormat.of().formatHex(material));
		rotateTo(credentialId, fromVersion, toVersion, fingerprint, this.clock.instant(), changeKey);
	}

	private void rotateTo(String credentialId, int fromVersion, int toVersion, String fingerprint, Instant now,
			String changeKey) {
		this.jdbc.sql("update nhi_credential_version set status = 'RETIRED', retired_at = ? where credential_id = ? and version = ?")
			.params(ts(now), credentialId, fromVersion)
			.update();
		insertVersion(credentialId, toVersion, fingerprint, now, changeKey);
		this.jdbc.sql("update nhi_credential set current_version = ?, updated_at = ? where id = ?")
			.params(toVersion, ts(now), credentialId)
			.update();
	}

	/** True when {@code version} is the active, current version of the credential. */
	@Transactional(readOnly = true, noRollbackFor = InventoryConflictException.class)
	public boolean isActiveVersion(String credentialId, int version) {
		CredentialRow credential = credentialRow(credentialId);
		String status = this.jdbc.sql("select status from nhi_credential_version where credential_id = ? and version = ?")
			.params(credentialId, version)
			.query(String.class)
			.optional()
			.orElse(null);
		return credential.currentVersion() == version && "ACTIVE".equals(status);
	}

	/**
	 * Undoes the rotation made under {@code changeKey}: {@code fromVersion} becomes active again
	 * and the version that rotation created is marked ROLLED_BACK. A version someone else created
	 * is never touched, so when our rotation never happened there is nothing to undo. Safe to repeat.
	 * @return true when a rotation was undone
	 */
	@Transactional(noRollbackFor = InventoryConflictException.class)
	public boolean restore(String credentialId, int fromVersion, String changeKey) {
		Optional<Integer> created = versionWithChangeKey(credentialId, changeKey);
		if (created.isEmpty()) {
			return false;
		}
		Instant now = this.clock.instant();
		this.jdbc
			.sql("update nhi_credential_version set status = 'ROLLED_BACK', retired_at = ? where credential_id = ? and version = ? and status <> 'ROLLED_BACK'")
			.params(ts(now), credentialId, created.get())
			.update();
		CredentialRow credential = credentialRow(credentialId);
		if (credential.currentVersion() == created.get()) {
			this.jdbc.sql("update nhi_credential_version set status = 'ACTIVE', retired_at = null where credential_id = ? and version = ?")
				.params(credentialId, fromVersion)
				.update();
			this.jdbc.sql("update nhi_credential set current_version = ?, updated_at = ? where id = ?")
				.params(fromVersion, ts(now), credentialId)
				.update();
		}
		return true;
	}

	private Optional<Integer> versionWithChangeKey(String credentialId, String changeKey) {
		return this.jdbc.sql("select version from nhi_credential_version where credential_id = ? and change_key = ?")
			.params(credentialId, changeKey)
			.query(Integer.class)
			.optional();
	}

	private void insertVersion(String credentialId, int version, String fingerprint, Instant now, String changeKey) {
		this.jdbc.sql("""
				insert into nhi_credential_version (credential_id, version, status, fingerprint, created_at, change_key)
				values (?, ?, 'ACTIVE', ?, ?, ?)""")
			.params(credentialId, version, fingerprint, ts(now), changeKey)
			.update();
	}

	private CredentialRow credentialRow(String credentialId) {
		return this.jdbc.sql("select id, identity_id, status, current_version from nhi_credential where id = ?")
			.param(credentialId)
			.query((rs, n) -> new CredentialRow(rs.getString("id"), rs.getString("identity_id"), rs.getString("status"),
					rs.getInt("current_version")))
			.optional()
			.orElseThrow(() -> new InventoryConflictException("credential '" + credentialId + "' does not exist"));
	}

	private Identity load(String identityId) {
		List<String> privileges = this.jdbc
			.sql("select privilege from nhi_privilege where identity_id = ? order by privilege")
			.param(identityId)
			.query(String.class)
			.list();
		List<Identity.Consumer> consumers = this.jdbc
			.sql("select name, customer_facing, last_used_at from nhi_consumer where identity_id = ? order by name")
			.param(identityId)
			.query((rs, n) -> new Identity.Consumer(rs.getString("name"), rs.getBoolean("customer_facing"),
					instant(rs, "last_used_at")))
			.list();
		List<Identity.Credential> credentials = this.jdbc
			.sql("select id, kind, status, current_version, created_by from nhi_credential where identity_id = ? order by id")
			.param(identityId)
			.query((rs, n) -> new Identity.Credential(rs.getString("id"), CredentialKind.valueOf(rs.getString("kind")),
					CredentialStatus.valueOf(rs.getString("status")), rs.getInt("current_version"), List.of(),
					rs.getString("created_by")))
			.list()
			.stream()
			.map(c -> new Identity.Credential(c.id(), c.kind(), c.status(), c.currentVersion(), versions(c.id()),
					c.createdBy()))
			.toList();
		return this.jdbc
			.sql("select id, owner, description, environment, status, privilege_level, created_at, updated_at from nhi_identity where id = ?")
			.param(identityId)
			.query((rs, n) -> new Identity(rs.getString("id"), rs.getString("owner"), rs.getString("description"),
					Environment.valueOf(rs.getString("environment")), IdentityStatus.valueOf(rs.getString("status")),
					privileges, consumers, credentials, instant(rs, "created_at"), instant(rs, "updated_at"),
					rs.getString("privilege_level") == null ? PrivilegeLevel.infer(privileges)
							: PrivilegeLevel.valueOf(rs.getString("privilege_level"))))
			.single();
	}

	private List<Identity.CredentialVersion> versions(String credentialId) {
		return this.jdbc.sql("""
				select version, status, fingerprint, created_at, retired_at from nhi_credential_version
				where credential_id = ? order by version""")
			.param(credentialId)
			.query((rs, n) -> new Identity.CredentialVersion(rs.getInt("version"), rs.getString("status"),
					rs.getString("fingerprint"), instant(rs, "created_at"), instant(rs, "retired_at")))
			.list();
	}

	private static String level(PrivilegeLevel level) {
		return level == null ? null : level.name();
	}

	private static Timestamp ts(Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return value == null ? null : value.toInstant();
	}

	private record CredentialRow(String id, String identityId, String status, int currentVersion) {
	}

}
