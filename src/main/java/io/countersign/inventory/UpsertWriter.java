package io.countersign.inventory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Writes an integrator's report once {@link UpsertReview} accepted it, in the caller's transaction. For an existing
 * identity it writes only what a report may change; gated state is never in its statements.
 */
@Component
class UpsertWriter {

	private final JdbcClient jdbc;

	UpsertWriter(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void create(String identityId, IdentityUpsertRequest request, Instant now) {
		IdentityStatus status = request.status() == null ? IdentityStatus.ACTIVE : request.status();
		this.jdbc.sql("""
				insert into nhi_identity (id, owner, description, environment, status, privilege_level, created_at, updated_at,
				    target)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(identityId, request.owner(), request.description(), request.environment().name(), status.name(),
					level(request.privilegeLevel()), ts(now), ts(now),
					request.target() == null ? Identity.DEFAULT_TARGET : request.target())
			.update();
		for (String privilege : request.privilegesOrEmpty().stream().distinct().toList()) {
			this.jdbc.sql("insert into nhi_privilege (identity_id, privilege) values (?, ?)")
				.params(identityId, privilege)
				.update();
		}
		Map<String, IdentityUpsertRequest.ConsumerRequest> consumers = new LinkedHashMap<>();
		request.consumersOrEmpty().forEach(consumer -> consumers.put(consumer.name(), consumer));
		consumers.values().forEach(consumer -> insertConsumer(identityId, consumer));
		for (IdentityUpsertRequest.CredentialRequest credential : request.credentialsOrEmpty()) {
			insertCredential(identityId, credential, now);
		}
	}

	/**
	 * Writes what the review accepted: descriptive fields, stricter policy inputs, new consumers and credentials.
	 * Status, privileges, isolation, credential status, kind and versions are left as stored; the review refused any
	 * report that differs on them.
	 */
	void update(Identity stored, IdentityUpsertRequest request, Instant now) {
		String identityId = stored.id();
		this.jdbc.sql("""
				update nhi_identity set owner = ?, description = ?, environment = ?,
				    privilege_level = coalesce(?, privilege_level), updated_at = ? where id = ?""")
			.params(request.owner(), request.description(), request.environment().name(),
					level(request.privilegeLevel()), ts(now), identityId)
			.update();
		if (request.consumers() != null) {
			Map<String, IdentityUpsertRequest.ConsumerRequest> consumers = new LinkedHashMap<>();
			request.consumers().forEach(consumer -> consumers.put(consumer.name(), consumer));
			for (Identity.Consumer consumer : stored.consumers()) {
				IdentityUpsertRequest.ConsumerRequest reported = consumers.remove(consumer.name());
				if (reported == null) {
					this.jdbc.sql("delete from nhi_consumer where identity_id = ? and name = ? and isolated = false")
						.params(identityId, consumer.name())
						.update();
				}
				else {
					this.jdbc.sql("update nhi_consumer set customer_facing = ?, last_used_at = ? where identity_id = ? and name = ?")
						.params(reported.customerFacing() || consumer.customerFacing(), ts(reported.lastUsedAt()),
								identityId, consumer.name())
						.update();
				}
			}
			consumers.values().forEach(consumer -> insertConsumer(identityId, consumer));
		}
		for (IdentityUpsertRequest.CredentialRequest credential : request.credentialsOrEmpty()) {
			if (stored.credential(credential.id()) == null) {
				insertCredential(identityId, credential, now);
			}
			else if (credential.createdBy() != null) {
				// Who created a credential is a fact of its past: it is filled in once, never replaced.
				this.jdbc.sql("update nhi_credential set created_by = coalesce(created_by, ?) where id = ?")
					.params(credential.createdBy(), credential.id())
					.update();
			}
		}
	}

	private void insertConsumer(String identityId, IdentityUpsertRequest.ConsumerRequest consumer) {
		this.jdbc.sql("""
				insert into nhi_consumer (identity_id, name, customer_facing, last_used_at, isolated)
				values (?, ?, ?, ?, false)""")
			.params(identityId, consumer.name(), consumer.customerFacing(), ts(consumer.lastUsedAt()))
			.update();
	}

	private void insertCredential(String identityId, IdentityUpsertRequest.CredentialRequest request, Instant now) {
		CredentialStatus status = request.status() == null ? CredentialStatus.ACTIVE : request.status();
		this.jdbc.sql("""
				insert into nhi_credential (id, identity_id, kind, status, current_version, created_by, updated_at)
				values (?, ?, ?, ?, 1, ?, ?)""")
			.params(request.id(), identityId, request.kind().name(), status.name(), request.createdBy(), ts(now))
			.update();
		this.jdbc.sql("""
				insert into nhi_credential_version (credential_id, version, status, fingerprint, created_at, change_key)
				values (?, 1, 'ACTIVE', ?, ?, null)""")
			.params(request.id(), request.fingerprint(), ts(now))
			.update();
	}

	private static String level(PrivilegeLevel level) {
		return level == null ? null : level.name();
	}

	private static Timestamp ts(Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

}
