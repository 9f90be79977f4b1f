package io.countersign.inventory;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.countersign.inventory.BeforeState.StatusChange;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The change journal of the inventory: every change an approved action makes to it, keyed by the action's
 * idempotency key and recorded with what it overwrote ({@code inventory_change}), so a retried job finds its earlier
 * effect instead of applying twice, and undo restores exactly that, once. Only the built-in connector calls this;
 * integrators' reports go through {@link Inventory#upsert}.
 */
@Service
public class InventoryJournal {

	/** The credential states a federation disable moves to DISABLED. */
	private static final Set<String> DISABLEABLE = Set.of(CredentialStatus.ACTIVE.name(),
			CredentialStatus.SUSPENDED.name());

	private final JdbcClient jdbc;

	private final InventoryChanges changes;

	private final Inventory inventory;

	private final Clock clock;

	InventoryJournal(JdbcClient jdbc, InventoryChanges changes, Inventory inventory, Clock clock) {
		this.jdbc = jdbc;
		this.changes = changes;
		this.inventory = inventory;
		this.clock = clock;
	}

	/** The change an action applied under {@code idempotencyKey}, whether or not it was undone since. */
	@Transactional(readOnly = true)
	public Optional<InventoryChange> change(String idempotencyKey) {
		return this.changes.find(idempotencyKey);
	}

	/*
	 * The changes below run in the caller's transaction and share one shape: a key already recorded returns at once;
	 * otherwise every check runs before anything is written, the before-state is recorded, and each write is
	 * conditional on the state the check saw. A write that finds the state changed under it throws, and the
	 * transaction rolls back, so a change is never half-applied. A caller that must go on after a conflict calls
	 * these under a savepoint.
	 */

	/**
	 * Moves a credential of {@code identityId} from one of {@code from} to {@code to}.
	 * @throws InventoryConflictException when the credential does not exist, belongs to another identity, or is not in
	 * one of {@code from}
	 */
	@Transactional
	public void changeCredentialStatus(InventoryChange change, String identityId, String credentialId,
			Set<CredentialStatus> from, CredentialStatus to) {
		requireTransition(from, to);
		if (this.changes.recorded(change)) {
			return;
		}
		CredentialRow credential = credentialOf(identityId, credentialId);
		if (!from.contains(CredentialStatus.valueOf(credential.status()))) {
			throw new InventoryConflictException(
					"credential '" + credentialId + "' is " + credential.status() + ", not one of " + from);
		}
		StatusChange moved = new StatusChange(credentialId, credential.status(), to.name());
		Instant now = this.clock.instant();
		this.changes.record(change, this.changes.json(BeforeState.ofCredentials(identityId, List.of(moved))), now);
		moveCredential(moved.id(), moved.was(), moved.set(), now);
	}

	/**
	 * Moves an identity from one of {@code from} to {@code to}.
	 * @throws InventoryConflictException when the identity does not exist or is not in one of {@code from}
	 */
	@Transactional
	public void changeIdentityStatus(InventoryChange change, String identityId, Set<IdentityStatus> from,
			IdentityStatus to) {
		requireTransition(from, to);
		if (this.changes.recorded(change)) {
			return;
		}
		IdentityStatus status = existingIdentityStatus(identityId);
		if (!from.contains(status)) {
			throw new InventoryConflictException("identity '" + identityId + "' is " + status + ", not one of " + from);
		}
		StatusChange moved = new StatusChange(identityId, status.name(), to.name());
		Instant now = this.clock.instant();
		this.changes.record(change, this.changes.json(BeforeState.ofIdentityStatus(identityId, moved)), now);
		moveIdentity(identityId, moved.was(), moved.set(), now);
	}

	/**
	 * Takes {@code remove} away from the identity; {@code keep} is what the approvers saw stay, so it must be held too.
	 * @throws IllegalArgumentException when {@code remove} is empty or shares a privilege with {@code keep}
	 * @throws InventoryConflictException when the identity does not exist or does not hold every privilege named
	 */
	@Transactional
	public void revokePrivileges(InventoryChange change, String identityId, Collection<String> remove,
			Collection<String> keep) {
		Set<String> removed = new LinkedHashSet<>(remove);
		if (removed.isEmpty()) {
			throw new IllegalArgumentException("A privilege reduction removes at least one privilege");
		}
		if (keep.stream().anyMatch(removed::contains)) {
			throw new IllegalArgumentException("A privilege cannot be both removed and kept");
		}
		if (this.changes.recorded(change)) {
			return;
		}
		existingIdentityStatus(identityId);
		List<String> held = this.inventory.privileges(identityId);
		List<String> missing = new ArrayList<>(removed);
		missing.addAll(keep);
		missing.removeAll(held);
		if (!missing.isEmpty()) {
			throw new InventoryConflictException(
					"identity '" + identityId + "' does not hold " + missing.stream().distinct().sorted().toList());
		}
		List<String> sorted = removed.stream().sorted().toList();
		Instant now = this.clock.instant();
		this.changes.record(change, this.changes.json(BeforeState.ofRemovedPrivileges(identityId, sorted)), now);
		for (String privilege : sorted) {
			int deleted = this.jdbc.sql("delete from nhi_privilege where identity_id = ? and privilege = ?")
				.params(identityId, privilege)
				.update();
			if (deleted != 1) {
				throw new InventoryConflictException(
						"identity '" + identityId + "' lost privilege '" + privilege + "' while it was being removed");
			}
		}
		touchIdentity(identityId, now);
	}

	/**
	 * Isolates one of the identity's consumers.
	 * @throws InventoryConflictException when the workload is not a consumer of the identity or is isolated already
	 */
	@Transactional
	public void isolateConsumer(InventoryChange change, String identityId, String consumer) {
		if (this.changes.recorded(change)) {
			return;
		}
		boolean isolated = this.inventory.consumerIsolated(identityId, consumer)
			.orElseThrow(() -> new InventoryConflictException(
					"workload '" + consumer + "' is not a consumer of identity '" + identityId + "'"));
		if (isolated) {
			throw new InventoryConflictException("workload '" + consumer + "' is isolated already");
		}
		Instant now = this.clock.instant();
		this.changes.record(change, this.changes.json(BeforeState.ofIsolatedConsumer(identityId, consumer)), now);
		setIsolated(identityId, consumer, false, true);
	}

	/**
	 * Disables a federated trust of the identity and the partner credentials that came with it. The trust must be
	 * ACTIVE or SUSPENDED. A partner credential that is ACTIVE or SUSPENDED becomes DISABLED; one already DISABLED or
	 * REVOKED is left as it is and is not touched by undo either.
	 * @throws InventoryConflictException when the trust is not a usable FEDERATED_TRUST credential of the identity, or
	 * a partner credential does not exist or belongs to another identity
	 */
	@Transactional
	public void disableFederation(InventoryChange change, String identityId, String trustId,
			Collection<String> partnerIds) {
		if (this.changes.recorded(change)) {
			return;
		}
		CredentialRow trust = credentialOf(identityId, trustId);
		if (!CredentialKind.FEDERATED_TRUST.name().equals(trust.kind())) {
			throw new InventoryConflictException(
					"credential '" + trustId + "' is a " + trust.kind() + ", not a FEDERATED_TRUST");
		}
		if (!DISABLEABLE.contains(trust.status())) {
			throw new InventoryConflictException("federated trust '" + trustId + "' is " + trust.status()
					+ ", not one of " + DISABLEABLE);
		}
		List<StatusChange> moved = new ArrayList<>();
		moved.add(new StatusChange(trustId, trust.status(), CredentialStatus.DISABLED.name()));
		for (String partnerId : new LinkedHashSet<>(partnerIds)) {
			if (partnerId.equals(trustId)) {
				continue;
			}
			CredentialRow partner = credentialOf(identityId, partnerId);
			if (DISABLEABLE.contains(partner.status())) {
				moved.add(new StatusChange(partnerId, partner.status(), CredentialStatus.DISABLED.name()));
			}
		}
		Instant now = this.clock.instant();
		this.changes.record(change, this.changes.json(BeforeState.ofCredentials(identityId, moved)), now);
		for (StatusChange credential : moved) {
			moveCredential(credential.id(), credential.was(), credential.set(), now);
		}
	}

	/**
	 * Makes a new version of the credential current: {@code fromVersion}, the current one, is retired and
	 * {@code toVersion} is recorded ACTIVE with the fingerprint of its material. The material itself never reaches
	 * the inventory. The new version carries the change's idempotency key, so verify and undo find exactly it.
	 * @return true when this call recorded the version; false when the change was recorded before, so the caller must
	 * not hand out material for it: the recorded version has other material
	 * @throws IllegalArgumentException when {@code toVersion} does not come after {@code fromVersion}
	 * @throws InventoryConflictException when the credential does not exist, belongs to another identity, is not
	 * ACTIVE, is no longer at {@code fromVersion}, or already has a version {@code toVersion}
	 */
	@Transactional
	public boolean rotateCredential(InventoryChange change, String identityId, String credentialId, int fromVersion,
			int toVersion, String fingerprint) {
		if (toVersion <= fromVersion) {
			throw new IllegalArgumentException("A rotation goes from a version to a later one");
		}
		if (this.changes.recorded(change)) {
			return false;
		}
		CredentialRow credential = credentialOf(identityId, credentialId);
		if (!CredentialStatus.ACTIVE.name().equals(credential.status())) {
			throw new InventoryConflictException(
					"credential '" + credentialId + "' is " + credential.status() + ", not ACTIVE");
		}
		if (credential.currentVersion() != fromVersion) {
			throw new InventoryConflictException("credential '" + credentialId + "' is at version "
					+ credential.currentVersion() + ", the rotation expected version " + fromVersion);
		}
		int newest = this.jdbc.sql("select max(version) from nhi_credential_version where credential_id = ?")
			.param(credentialId)
			.query(Integer.class)
			.optional()
			.orElse(0);
		if (newest >= toVersion) {
			throw new InventoryConflictException("credential '" + credentialId + "' has a version " + newest
					+ " already; the rotation would record version " + toVersion);
		}
		Instant now = this.clock.instant();
		this.changes.record(change, this.changes.json(BeforeState.ofRotation(identityId,
				new BeforeState.Rotation(credentialId, fromVersion, toVersion))), now);
		moveVersion(credentialId, fromVersion, "ACTIVE", "RETIRED", now);
		this.jdbc.sql("""
				insert into nhi_credential_version (credential_id, version, status, fingerprint, created_at, change_key)
				values (?, ?, 'ACTIVE', ?, ?, ?)""")
			.params(credentialId, toVersion, fingerprint, ts(now), change.idempotencyKey())
			.update();
		setCurrentVersion(credentialId, fromVersion, toVersion, now);
		return true;
	}

	/**
	 * Restores what the change applied under {@code idempotencyKey} overwrote, once. Only what that change set and
	 * nobody changed since is put back; a value someone already restored is left alone.
	 * @return true when this call undid the change; false when it was never applied or is undone already
	 * @throws InventoryConflictException when something the change set was changed again since: undoing would
	 * overwrite that later change, so nothing is restored
	 */
	@Transactional
	public boolean undo(String idempotencyKey) {
		Optional<BeforeState> recorded = this.changes.toUndo(idempotencyKey);
		if (recorded.isEmpty()) {
			return false;
		}
		BeforeState before = recorded.get();
		List<StatusChange> credentials = before.credentials()
			.stream()
			.filter(moved -> stillSet("credential", moved, credentialRow(moved.id()).status()))
			.toList();
		boolean identity = before.identityStatus() != null && stillSet("identity", before.identityStatus(),
				existingIdentityStatus(before.identityStatus().id()).name());
		List<String> held = this.inventory.privileges(before.identity());
		List<String> privileges = before.removedPrivileges().stream().filter(p -> !held.contains(p)).toList();
		boolean consumer = before.isolatedConsumer() != null && this.inventory
			.consumerIsolated(before.identity(), before.isolatedConsumer())
			.orElseThrow(() -> new InventoryConflictException("workload '" + before.isolatedConsumer()
					+ "' is no longer a consumer of identity '" + before.identity() + "', so it cannot be restored"));
		boolean rotation = before.rotation() != null && stillRotated(before.rotation());
		Instant now = this.clock.instant();
		if (!this.changes.markUndone(idempotencyKey, now)) {
			return false;
		}
		for (StatusChange moved : credentials) {
			moveCredential(moved.id(), moved.set(), moved.was(), now);
		}
		if (identity) {
			moveIdentity(before.identityStatus().id(), before.identityStatus().set(), before.identityStatus().was(),
					now);
		}
		for (String privilege : privileges) {
			this.jdbc.sql("insert into nhi_privilege (identity_id, privilege) values (?, ?)")
				.params(before.identity(), privilege)
				.update();
		}
		if (!privileges.isEmpty()) {
			touchIdentity(before.identity(), now);
		}
		if (consumer) {
			setIsolated(before.identity(), before.isolatedConsumer(), true, false);
		}
		if (rotation) {
			BeforeState.Rotation rotated = before.rotation();
			moveVersion(rotated.credential(), rotated.toVersion(), "ACTIVE", "ROLLED_BACK", now);
			moveVersion(rotated.credential(), rotated.fromVersion(), "RETIRED", "ACTIVE", now);
			setCurrentVersion(rotated.credential(), rotated.toVersion(), rotated.fromVersion(), now);
		}
		return true;
	}

	/**
	 * True when the rotation's version is still the current one; false when the previous version is back already.
	 * @throws InventoryConflictException when the credential moved on since (another rotation): undoing would
	 * overwrite that
	 */
	private boolean stillRotated(BeforeState.Rotation rotation) {
		int current = credentialRow(rotation.credential()).currentVersion();
		String created = versionStatus(rotation.credential(), rotation.toVersion());
		if (current == rotation.toVersion() && "ACTIVE".equals(created)) {
			return true;
		}
		if (current == rotation.fromVersion() && "ROLLED_BACK".equals(created)) {
			return false;
		}
		throw new InventoryConflictException("credential '" + rotation.credential() + "' is at version " + current
				+ " now; the rotation made version " + rotation.toVersion() + " current (it is " + created
				+ "), and undoing would overwrite what changed since");
	}

	private String versionStatus(String credentialId, int version) {
		return this.jdbc.sql("select status from nhi_credential_version where credential_id = ? and version = ?")
			.params(credentialId, version)
			.query(String.class)
			.optional()
			.orElse("missing");
	}

	/** True when the change's value is still there; false when the old one is back already. */
	private static boolean stillSet(String what, StatusChange moved, String current) {
		if (current.equals(moved.set())) {
			return true;
		}
		if (current.equals(moved.was())) {
			return false;
		}
		throw new InventoryConflictException(what + " '" + moved.id() + "' is " + current + " now; the change set it "
				+ moved.set() + " from " + moved.was() + ", and undoing would overwrite what changed since");
	}

	private static <S extends Enum<S>> void requireTransition(Set<S> from, S to) {
		if (from.isEmpty() || from.contains(to)) {
			throw new IllegalArgumentException("A status change needs a from-state other than " + to);
		}
	}

	private CredentialRow credentialOf(String identityId, String credentialId) {
		CredentialRow credential = credentialRow(credentialId);
		if (!credential.identityId().equals(identityId)) {
			throw new InventoryConflictException("credential '" + credentialId + "' belongs to identity '"
					+ credential.identityId() + "', not '" + identityId + "'");
		}
		return credential;
	}

	private IdentityStatus existingIdentityStatus(String identityId) {
		return this.inventory.identityStatus(identityId)
			.orElseThrow(() -> new InventoryConflictException("identity '" + identityId + "' does not exist"));
	}

	private void moveCredential(String credentialId, String from, String to, Instant now) {
		int updated = this.jdbc.sql("update nhi_credential set status = ?, updated_at = ? where id = ? and status = ?")
			.params(to, ts(now), credentialId, from)
			.update();
		if (updated != 1) {
			throw new InventoryConflictException(
					"credential '" + credentialId + "' changed while it was being moved from " + from + " to " + to);
		}
	}

	private void moveIdentity(String identityId, String from, String to, Instant now) {
		int updated = this.jdbc.sql("update nhi_identity set status = ?, updated_at = ? where id = ? and status = ?")
			.params(to, ts(now), identityId, from)
			.update();
		if (updated != 1) {
			throw new InventoryConflictException(
					"identity '" + identityId + "' changed while it was being moved from " + from + " to " + to);
		}
	}

	/** A retired version gets a retirement time; one made ACTIVE again loses it. */
	private void moveVersion(String credentialId, int version, String from, String to, Instant now) {
		int updated = this.jdbc.sql("""
				update nhi_credential_version set status = ?, retired_at = ?
				where credential_id = ? and version = ? and status = ?""")
			.params(to, "ACTIVE".equals(to) ? null : ts(now), credentialId, version, from)
			.update();
		if (updated != 1) {
			throw new InventoryConflictException("version " + version + " of credential '" + credentialId
					+ "' is not " + from + ", so it cannot become " + to);
		}
	}

	private void setCurrentVersion(String credentialId, int from, int to, Instant now) {
		int updated = this.jdbc
			.sql("update nhi_credential set current_version = ?, updated_at = ? where id = ? and current_version = ?")
			.params(to, ts(now), credentialId, from)
			.update();
		if (updated != 1) {
			throw new InventoryConflictException("credential '" + credentialId + "' changed while it was being moved "
					+ "from version " + from + " to " + to);
		}
	}

	private void setIsolated(String identityId, String consumer, boolean from, boolean to) {
		int updated = this.jdbc
			.sql("update nhi_consumer set isolated = ? where identity_id = ? and name = ? and isolated = ?")
			.params(to, identityId, consumer, from)
			.update();
		if (updated != 1) {
			throw new InventoryConflictException("workload '" + consumer + "' changed while it was being "
					+ (to ? "isolated" : "released from isolation"));
		}
	}

	private void touchIdentity(String identityId, Instant now) {
		this.jdbc.sql("update nhi_identity set updated_at = ? where id = ?").params(ts(now), identityId).update();
	}

	private CredentialRow credentialRow(String credentialId) {
		return this.jdbc.sql("select id, identity_id, kind, status, current_version from nhi_credential where id = ?")
			.param(credentialId)
			.query((rs, n) -> new CredentialRow(rs.getString("id"), rs.getString("identity_id"), rs.getString("kind"),
					rs.getString("status"), rs.getInt("current_version")))
			.optional()
			.orElseThrow(() -> new InventoryConflictException("credential '" + credentialId + "' does not exist"));
	}

	private static Timestamp ts(Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

	private record CredentialRow(String id, String identityId, String kind, String status, int currentVersion) {
	}

}
