package io.countersign.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.countersign.api.ApiException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The NHI inventory as integrators report it and playbooks read it: identities, their consumers, privileges,
 * credentials and credential versions. Reports go through {@link #upsert}, which never changes gated state; what
 * approved actions change, and how they are undone, is the {@link InventoryJournal}'s.
 */
@Service
public class Inventory {

	private final JdbcClient jdbc;

	private final Clock clock;

	private final UpsertLedger upsertLedger;

	private final UpsertWriter writer;

	/** Lazily: the targets read identities from this inventory, so they are built after it. */
	private final ObjectProvider<KnownTargets> targets;

	Inventory(JdbcClient jdbc, UpsertLedger upsertLedger, UpsertWriter writer, ObjectProvider<KnownTargets> targets) {
		this.targets = targets;
		this.jdbc = jdbc;
		this.upsertLedger = upsertLedger;
		this.writer = writer;
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

	/**
	 * The identity, which a playbook found when the detection arrived.
	 * @throws InventoryConflictException when it has been removed since
	 */
	@Transactional(readOnly = true)
	public Identity existing(String identityId) {
		return find(identityId).orElseThrow(
				() -> new InventoryConflictException("identity '" + identityId + "' is no longer in the inventory"));
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
	 * Records, under the identity's ledger subject, that its target shows something the inventory does not (a
	 * credential changed outside Countersign, a privilege granted there). Changes nothing: gated state changes only
	 * through approved actions.
	 */
	@Transactional
	public void recordDrift(String identityId, String actor, String detail, Map<String, ?> data) {
		this.upsertLedger.drift(identityId, actor, detail, data);
	}

	/** As {@link #upsert(String, IdentityUpsertRequest, String)} with no actor, for seeding and set-up. */
	@Transactional
	public Identity upsert(String identityId, IdentityUpsertRequest request) {
		return upsert(identityId, request, null);
	}

	/**
	 * Records an integrator's report on an identity. A new identity is stored as reported. For an existing one the
	 * report is compared with what is stored ({@link UpsertReview}): it may add credentials and consumers, update
	 * descriptive fields and make policy inputs stricter; gated state must repeat what is stored. Credentials are
	 * never deleted: their version history is evidence. Every report is in the ledger, the refused ones too.
	 * @throws UpsertRefusedException (409) when the report would change gated state or weaken a policy input;
	 * nothing is stored
	 */
	@Transactional
	public Identity upsert(String identityId, IdentityUpsertRequest request, String actor) {
		Instant now = this.clock.instant();
		// Reports and approved actions on one identity take turns, so a report is compared with what it overwrites.
		this.jdbc.sql("select id from nhi_identity where id = ? for update").param(identityId).query(String.class).list();
		Identity stored = find(identityId).orElse(null);
		KnownTargets known = this.targets.getObject();
		if (request.target() != null && !known.exists(request.target())) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "target '" + request.target()
					+ "' is not configured; configured targets: " + known.names(), "target");
		}
		Map<String, String> owners = new LinkedHashMap<>();
		for (IdentityUpsertRequest.CredentialRequest credential : request.credentialsOrEmpty()) {
			identityOfCredential(credential.id()).ifPresent(owner -> owners.put(credential.id(), owner));
		}
		UpsertReview.Result review = UpsertReview.review(stored, request, owners, identityId);
		if (review.refused()) {
			this.upsertLedger.refused(identityId, actor, review);
			throw new UpsertRefusedException(review.violations().get(0), review.violations().size() - 1,
					UpsertLedger.subject(identityId));
		}
		if (stored == null) {
			this.writer.create(identityId, request, now);
		}
		else {
			this.writer.update(stored, request, now);
		}
		this.upsertLedger.accepted(identityId, actor, review);
		return load(identityId);
	}

	/** The credential's current version number; empty for an unknown credential. */
	@Transactional(readOnly = true)
	public Optional<Integer> currentVersion(String credentialId) {
		return this.jdbc.sql("select current_version from nhi_credential where id = ?")
			.param(credentialId)
			.query(Integer.class)
			.optional();
	}

	/**
	 * The version of a credential that the change applied under {@code changeKey} created, whatever its status now;
	 * empty when that change created none. A version someone else created never counts.
	 */
	@Transactional(readOnly = true)
	public Optional<Identity.CredentialVersion> versionCreatedBy(String credentialId, String changeKey) {
		return this.jdbc.sql("""
				select version, status, fingerprint, created_at, retired_at from nhi_credential_version
				where credential_id = ? and change_key = ?""")
			.params(credentialId, changeKey)
			.query((rs, n) -> new Identity.CredentialVersion(rs.getInt("version"), rs.getString("status"),
					rs.getString("fingerprint"), instant(rs, "created_at"), instant(rs, "retired_at")))
			.optional();
	}

	@Transactional(readOnly = true)
	public Optional<CredentialStatus> credentialStatus(String credentialId) {
		return this.jdbc.sql("select status from nhi_credential where id = ?")
			.param(credentialId)
			.query(String.class)
			.optional()
			.map(CredentialStatus::valueOf);
	}

	@Transactional(readOnly = true)
	public Optional<IdentityStatus> identityStatus(String identityId) {
		return this.jdbc.sql("select status from nhi_identity where id = ?")
			.param(identityId)
			.query(String.class)
			.optional()
			.map(IdentityStatus::valueOf);
	}

	/** The privileges the identity holds, sorted; empty for an unknown identity. */
	@Transactional(readOnly = true)
	public List<String> privileges(String identityId) {
		return this.jdbc.sql("select privilege from nhi_privilege where identity_id = ? order by privilege")
			.param(identityId)
			.query(String.class)
			.list();
	}

	/** Whether the identity's consumer is isolated; empty when it is not a consumer of the identity. */
	@Transactional(readOnly = true)
	public Optional<Boolean> consumerIsolated(String identityId, String consumer) {
		return this.jdbc.sql("select isolated from nhi_consumer where identity_id = ? and name = ?")
			.params(identityId, consumer)
			.query(Boolean.class)
			.optional();
	}

	private Identity load(String identityId) {
		List<String> privileges = this.jdbc
			.sql("select privilege from nhi_privilege where identity_id = ? order by privilege")
			.param(identityId)
			.query(String.class)
			.list();
		List<Identity.Consumer> consumers = this.jdbc
			.sql("select name, customer_facing, last_used_at, isolated from nhi_consumer where identity_id = ? order by name")
			.param(identityId)
			.query((rs, n) -> new Identity.Consumer(rs.getString("name"), rs.getBoolean("customer_facing"),
					instant(rs, "last_used_at"), rs.getBoolean("isolated")))
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
			.sql("select id, owner, description, environment, status, privilege_level, created_at, updated_at, target "
					+ "from nhi_identity where id = ?")
			.param(identityId)
			.query((rs, n) -> new Identity(rs.getString("id"), rs.getString("owner"), rs.getString("description"),
					Environment.valueOf(rs.getString("environment")), IdentityStatus.valueOf(rs.getString("status")),
					privileges, consumers, credentials, instant(rs, "created_at"), instant(rs, "updated_at"),
					rs.getString("privilege_level") == null ? PrivilegeLevel.infer(privileges)
							: PrivilegeLevel.valueOf(rs.getString("privilege_level")),
					rs.getString("target")))
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

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return value == null ? null : value.toInstant();
	}

}
