package io.countersign.connector.inventory;

import static io.countersign.action.ActionTypes.CREDENTIAL_DISABLE;
import static io.countersign.action.ActionTypes.CREDENTIAL_ENABLE;
import static io.countersign.action.ActionTypes.CREDENTIAL_ROTATE;
import static io.countersign.action.ActionTypes.CREDENTIAL_SUSPEND;
import static io.countersign.action.ActionTypes.FEDERATION_DISABLE;
import static io.countersign.action.ActionTypes.IDENTITY_QUARANTINE;
import static io.countersign.action.ActionTypes.IDENTITY_RELEASE;
import static io.countersign.action.ActionTypes.IDENTITY_SUSPEND;
import static io.countersign.action.ActionTypes.PRIVILEGES_REDUCE;
import static io.countersign.action.ActionTypes.WORKLOAD_ISOLATE;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.ActionConnector;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryChange;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.inventory.InventoryJournal;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.secret.SecretDeliveryException;
import io.countersign.secret.SecretMaterial;
import io.countersign.secret.SecretSink;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out every type in {@link ActionTypes#ALL} on the NHI inventory. The status rules of each type live here,
 * once, and stage, apply and verify all read them; the inventory's change journal guards each write with the state it
 * expects and records what it overwrote.
 *
 * <p>{@code credential.rotate} makes new material, records the new version with the material's fingerprint only, and
 * hands the material to the {@link SecretSink}, all before the apply's transaction commits. The version row is
 * written first, so a second node running the same apply waits on it and fails before it delivers anything; the
 * delivery comes last, so a failed delivery undoes the version and the receipt's use, and the rotation is rolled
 * back with the old version still current. A committed rotation was therefore always delivered. A crash after the
 * delivery but before the commit leaves the sink ahead of the inventory: the retry, under the same idempotency key,
 * finds no version, makes new material and delivers it again, replacing the first (the sink's last delivery wins,
 * and verify checks the sink holds the recorded version). The material is never stored, so nothing can be
 * delivered a second time for a rotation that committed; none is needed.
 */
@Component
class InventoryConnector implements ActionConnector {

	static final String NAME = "inventory";

	private static final Map<String, Transition<CredentialStatus>> CREDENTIAL_TRANSITIONS = Map.of(
			CREDENTIAL_SUSPEND, new Transition<>(Set.of(CredentialStatus.ACTIVE), CredentialStatus.SUSPENDED),
			CREDENTIAL_DISABLE,
			new Transition<>(Set.of(CredentialStatus.ACTIVE, CredentialStatus.SUSPENDED), CredentialStatus.DISABLED),
			CREDENTIAL_ENABLE,
			new Transition<>(Set.of(CredentialStatus.DISABLED, CredentialStatus.SUSPENDED), CredentialStatus.ACTIVE));

	private static final Map<String, Transition<IdentityStatus>> IDENTITY_TRANSITIONS = Map.of(IDENTITY_SUSPEND,
			new Transition<>(Set.of(IdentityStatus.ACTIVE), IdentityStatus.SUSPENDED), IDENTITY_QUARANTINE,
			new Transition<>(Set.of(IdentityStatus.ACTIVE, IdentityStatus.SUSPENDED), IdentityStatus.QUARANTINED),
			IDENTITY_RELEASE, new Transition<>(Set.of(IdentityStatus.QUARANTINED), IdentityStatus.ACTIVE));

	/** A federated trust that is still usable; the inventory refuses to disable one in any other state. */
	private static final Set<CredentialStatus> USABLE_TRUST = Set.of(CredentialStatus.ACTIVE,
			CredentialStatus.SUSPENDED);

	/** What a partner credential may be after a federation disable: DISABLED by it, or REVOKED and left alone. */
	private static final Set<CredentialStatus> OFF = Set.of(CredentialStatus.DISABLED, CredentialStatus.REVOKED);

	private final Inventory inventory;

	private final InventoryJournal journal;

	private final ReceiptVerifier receipts;

	private final TransactionTemplate savepoint;

	private final SecretSink sink;

	InventoryConnector(Inventory inventory, InventoryJournal journal, ReceiptVerifier receipts,
			PlatformTransactionManager transactionManager, SecretSink sink) {
		this.inventory = inventory;
		this.journal = journal;
		this.receipts = receipts;
		this.sink = sink;
		// Apply and rollback run under a savepoint of the caller's transaction (a job's): a refusal undoes the
		// receipt's use and any partial write, and leaves that transaction usable for the playbook's error path.
		this.savepoint = new TransactionTemplate(transactionManager);
		this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public void stage(ConnectorCall call) {
		StagedAction action = handled(call.action());
		Parameters parameters = new Parameters(action);
		String identityId = parameters.text("identity");
		Identity identity = this.inventory.find(identityId)
			.orElseThrow(() -> refused("identity '" + identityId + "' does not exist"));
		switch (action.type()) {
			case CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE, CREDENTIAL_ENABLE -> {
				Identity.Credential credential = credentialOf(identity, parameters.text("credential"));
				CREDENTIAL_TRANSITIONS.get(action.type()).require("credential '" + credential.id() + "'",
						credential.status());
			}
			case CREDENTIAL_ROTATE -> {
				Identity.Credential credential = credentialOf(identity, parameters.text("credential"));
				Rotation rotation = Rotation.of(parameters);
				if (credential.status() != CredentialStatus.ACTIVE) {
					throw refused("credential '" + credential.id() + "' is " + credential.status() + ", not ACTIVE");
				}
				if (credential.currentVersion() != rotation.from()) {
					throw refused("credential '" + credential.id() + "' is at version " + credential.currentVersion()
							+ ", not " + rotation.from());
				}
				if (credential.versions().stream().anyMatch(version -> version.version() >= rotation.to())) {
					throw refused("credential '" + credential.id() + "' has a version " + rotation.to() + " or later");
				}
			}
			case PRIVILEGES_REDUCE -> {
				Reduction reduction = Reduction.of(parameters);
				List<String> missing = new ArrayList<>(reduction.remove());
				missing.addAll(reduction.keep());
				missing.removeAll(identity.privileges());
				if (!missing.isEmpty()) {
					throw refused("identity '" + identityId + "' does not hold " + missing);
				}
			}
			case IDENTITY_SUSPEND, IDENTITY_QUARANTINE, IDENTITY_RELEASE -> IDENTITY_TRANSITIONS.get(action.type())
				.require("identity '" + identityId + "'", identity.status());
			case WORKLOAD_ISOLATE -> {
				String workload = parameters.text("workload");
				Identity.Consumer consumer = identity.consumers()
					.stream()
					.filter(c -> c.name().equals(workload))
					.findFirst()
					.orElseThrow(() -> refused(
							"workload '" + workload + "' is not a consumer of identity '" + identityId + "'"));
				if (consumer.isolated()) {
					throw refused("workload '" + workload + "' is isolated already");
				}
			}
			case FEDERATION_DISABLE -> {
				Identity.Credential trust = credentialOf(identity, parameters.text("trust"));
				if (trust.kind() != CredentialKind.FEDERATED_TRUST) {
					throw refused("credential '" + trust.id() + "' is a " + trust.kind() + ", not a FEDERATED_TRUST");
				}
				if (!USABLE_TRUST.contains(trust.status())) {
					throw refused("federated trust '" + trust.id() + "' is " + trust.status() + ", not one of "
							+ USABLE_TRUST);
				}
				parameters.texts("partnerCredentials").forEach(partner -> credentialOf(identity, partner));
			}
			default -> throw unknownType(action);
		}
	}

	/**
	 * Spends the receipt and applies the action in one savepoint, so neither happens without the other. A key already
	 * recorded is a retry of a committed apply: its receipt was spent then, so it is not presented again and nothing
	 * changes.
	 */
	@Override
	public void apply(ConnectorCall call) {
		Optional<InventoryChange> applied = this.journal.change(call.idempotencyKey());
		if (applied.isPresent()) {
			requireSameAction(applied.get(), call);
			return;
		}
		try {
			this.savepoint.executeWithoutResult(status -> {
				this.receipts.verifyAndConsume(call.receipt(), call.responseId(), call.action().fingerprint(), NAME);
				change(call);
			});
		}
		catch (InventoryConflictException ex) {
			throw new ConnectorException(ex.getMessage(), ex);
		}
	}

	private void change(ConnectorCall call) {
		StagedAction action = handled(call.action());
		Parameters parameters = new Parameters(action);
		String identityId = parameters.text("identity");
		InventoryChange change = inventoryChange(call);
		switch (action.type()) {
			case CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE, CREDENTIAL_ENABLE -> {
				Transition<CredentialStatus> transition = CREDENTIAL_TRANSITIONS.get(action.type());
				this.journal.changeCredentialStatus(change, identityId, parameters.text("credential"),
						transition.from(), transition.to());
			}
			case CREDENTIAL_ROTATE -> rotate(change, identityId, parameters.text("credential"), Rotation.of(parameters));
			case PRIVILEGES_REDUCE -> {
				Reduction reduction = Reduction.of(parameters);
				this.journal.revokePrivileges(change, identityId, reduction.remove(), reduction.keep());
			}
			case IDENTITY_SUSPEND, IDENTITY_QUARANTINE, IDENTITY_RELEASE -> {
				Transition<IdentityStatus> transition = IDENTITY_TRANSITIONS.get(action.type());
				this.journal.changeIdentityStatus(change, identityId, transition.from(), transition.to());
			}
			case WORKLOAD_ISOLATE -> this.journal.isolateConsumer(change, identityId, parameters.text("workload"));
			case FEDERATION_DISABLE -> this.journal.disableFederation(change, identityId, parameters.text("trust"),
					parameters.texts("partnerCredentials"));
			default -> throw unknownType(action);
		}
	}

	/**
	 * The new version first, then the delivery (see the class comment), and a delivery only for a version this call
	 * recorded. The material reaches the inventory only as its fingerprint and leaves memory once delivered or
	 * refused.
	 */
	private void rotate(InventoryChange change, String identityId, String credentialId, Rotation rotation) {
		String target = this.inventory.find(identityId)
			.orElseThrow(() -> refused("identity '" + identityId + "' does not exist"))
			.target();
		SecretMaterial material = SecretMaterial.generate();
		try {
			if (this.journal.rotateCredential(change, identityId, credentialId, rotation.from(), rotation.to(),
					material.fingerprint())) {
				this.sink.deliver(target, credentialId, material);
			}
		}
		catch (SecretDeliveryException ex) {
			throw refused("the new secret of '" + credentialId + "' could not be delivered, so version " + rotation.to()
					+ " is not recorded: " + ex.getMessage());
		}
		finally {
			material.destroy();
		}
	}

	/** Checks the receipt is for this action (without spending it), then that the target shows the change. */
	@Override
	public void verify(ConnectorCall call) {
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		StagedAction action = handled(call.action());
		Parameters parameters = new Parameters(action);
		String identityId = parameters.text("identity");
		switch (action.type()) {
			case CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE, CREDENTIAL_ENABLE -> requireCredential(
					parameters.text("credential"), Set.of(CREDENTIAL_TRANSITIONS.get(action.type()).to()));
			case CREDENTIAL_ROTATE -> verifyRotation(call, identityId, parameters.text("credential"),
					Rotation.of(parameters));
			case PRIVILEGES_REDUCE -> {
				List<String> still = new ArrayList<>(Reduction.of(parameters).remove());
				still.retainAll(this.inventory.privileges(identityId));
				if (!still.isEmpty()) {
					throw refused("identity '" + identityId + "' still holds " + still);
				}
			}
			case IDENTITY_SUSPEND, IDENTITY_QUARANTINE, IDENTITY_RELEASE -> {
				IdentityStatus expected = IDENTITY_TRANSITIONS.get(action.type()).to();
				IdentityStatus status = this.inventory.identityStatus(identityId)
					.orElseThrow(() -> refused("identity '" + identityId + "' does not exist"));
				if (status != expected) {
					throw refused("identity '" + identityId + "' is " + status + ", expected " + expected);
				}
			}
			case WORKLOAD_ISOLATE -> {
				String workload = parameters.text("workload");
				boolean isolated = this.inventory.consumerIsolated(identityId, workload)
					.orElseThrow(() -> refused(
							"workload '" + workload + "' is not a consumer of identity '" + identityId + "'"));
				if (!isolated) {
					throw refused("workload '" + workload + "' is not isolated");
				}
			}
			case FEDERATION_DISABLE -> {
				requireCredential(parameters.text("trust"), Set.of(CredentialStatus.DISABLED));
				parameters.texts("partnerCredentials").forEach(partner -> requireCredential(partner, OFF));
			}
			default -> throw unknownType(action);
		}
	}

	/**
	 * Undoes what {@link #apply} changed for this action, once. {@code call.idempotencyKey()} is the key of that
	 * apply, not a key of the rollback's own: pass the same call the apply was made with, and the key finds what the
	 * apply overwrote. The receipt is checked for this action but not spent (apply spent it) and may have expired.
	 * @throws ConnectorException when the key belongs to another action, or the target changed again since the apply
	 * (undoing would overwrite that change); nothing is restored then
	 */
	@Override
	public void rollback(ConnectorCall call) {
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		Optional<InventoryChange> applied = this.journal.change(call.idempotencyKey());
		if (applied.isEmpty()) {
			return;
		}
		// The receipt authorises this action only: it must not undo a change some other action made.
		requireSameAction(applied.get(), call);
		try {
			this.savepoint.executeWithoutResult(status -> this.journal.undo(call.idempotencyKey()));
		}
		catch (InventoryConflictException ex) {
			throw new ConnectorException(ex.getMessage(), ex);
		}
	}

	/**
	 * The version this very apply recorded is current and ACTIVE, and the sink holds its material: what consumers
	 * read has the fingerprint the inventory recorded (when the sink can tell).
	 */
	private void verifyRotation(ConnectorCall call, String identityId, String credentialId, Rotation rotation) {
		Identity.CredentialVersion created = this.inventory.versionCreatedBy(credentialId, call.idempotencyKey())
			.orElseThrow(() -> refused("no version of credential '" + credentialId + "' was recorded by this rotation"));
		int current = this.inventory.currentVersion(credentialId)
			.orElseThrow(() -> refused("credential '" + credentialId + "' does not exist"));
		if (created.version() != rotation.to() || current != rotation.to() || !"ACTIVE".equals(created.status())) {
			throw refused("credential '" + credentialId + "' is at version " + current + "; the rotation recorded version "
					+ created.version() + " (" + created.status() + "), expected version " + rotation.to() + " active");
		}
		String target = this.inventory.find(identityId)
			.orElseThrow(() -> refused("identity '" + identityId + "' does not exist"))
			.target();
		Optional<String> delivered;
		try {
			delivered = this.sink.deliveredFingerprint(target, credentialId);
		}
		catch (SecretDeliveryException ex) {
			throw refused("the secret sink does not hold version " + rotation.to() + " of '" + credentialId + "': "
					+ ex.getMessage());
		}
		if (delivered.isPresent() && !delivered.get().equals(created.fingerprint())) {
			throw refused("the secret sink holds other material for '" + credentialId + "' (" + delivered.get()
					+ ") than version " + rotation.to() + " (" + created.fingerprint() + ")");
		}
	}

	private void requireCredential(String credentialId, Set<CredentialStatus> expected) {
		CredentialStatus status = this.inventory.credentialStatus(credentialId)
			.orElseThrow(() -> refused("credential '" + credentialId + "' does not exist"));
		if (!expected.contains(status)) {
			throw refused("credential '" + credentialId + "' is " + status + ", expected "
					+ (expected.size() == 1 ? expected.iterator().next() : "one of " + expected));
		}
	}

	private static void requireSameAction(InventoryChange applied, ConnectorCall call) {
		if (!applied.equals(inventoryChange(call))) {
			throw refused("idempotency key '" + call.idempotencyKey() + "' was applied for " + applied.actionType()
					+ " on '" + applied.target() + "' (" + applied.actionFingerprint() + ") of response "
					+ applied.responseId() + ", not for this action");
		}
	}

	private static InventoryChange inventoryChange(ConnectorCall call) {
		StagedAction action = call.action();
		try {
			return new InventoryChange(call.idempotencyKey(), action.type(), action.target(), call.responseId(),
					action.fingerprint());
		}
		catch (IllegalArgumentException ex) {
			throw new ConnectorException(ex.getMessage(), ex);
		}
	}

	private static Identity.Credential credentialOf(Identity identity, String credentialId) {
		Identity.Credential credential = identity.credential(credentialId);
		if (credential == null) {
			throw refused("credential '" + credentialId + "' is not a credential of identity '" + identity.id() + "'");
		}
		return credential;
	}

	private static StagedAction handled(StagedAction action) {
		if (!ActionTypes.ALL.contains(action.type())) {
			throw unknownType(action);
		}
		return action;
	}

	private static ConnectorException unknownType(StagedAction action) {
		return refused("the inventory connector does not handle action type '" + action.type() + "'");
	}

	private static ConnectorException refused(String message) {
		return new ConnectorException(message);
	}

	/** A status change: allowed from any of {@code from}, ending at {@code to}. */
	private record Transition<S extends Enum<S>>(Set<S> from, S to) {

		void require(String what, S current) {
			if (!this.from.contains(current)) {
				throw refused(what + " is " + current + ", not one of " + this.from);
			}
		}

	}

	/** The versions a {@code credential.rotate} goes from and to. */
	private record Rotation(int from, int to) {

		static Rotation of(Parameters parameters) {
			int from = parameters.number("fromVersion");
			int to = parameters.number("toVersion");
			if (from < 1 || to <= from) {
				throw refused("credential.rotate goes from a version to a later one, not from " + from + " to " + to);
			}
			return new Rotation(from, to);
		}

	}

	/** The privileges an {@code identity.privileges.reduce} takes away and the ones its approvers saw stay. */
	private record Reduction(List<String> remove, List<String> keep) {

		static Reduction of(Parameters parameters) {
			List<String> remove = parameters.texts("remove");
			List<String> keep = parameters.texts("keep");
			if (remove.isEmpty()) {
				throw refused("identity.privileges.reduce removes at least one privilege");
			}
			List<String> both = new ArrayList<>(remove);
			both.retainAll(keep);
			if (!both.isEmpty()) {
				throw refused("identity.privileges.reduce both removes and keeps " + both);
			}
			return new Reduction(remove, keep);
		}

	}

	/** An action's parameters: one that is missing or of the wrong type refuses the action, it is not a fault. */
	private record Parameters(StagedAction action) {

		String text(String name) {
			JsonNode value = this.action.parameters().get(name);
			if (value == null || !value.isTextual() || value.asText().isBlank()) {
				throw refused(this.action.type() + " needs a text parameter '" + name + "'");
			}
			return value.asText();
		}

		int number(String name) {
			JsonNode value = this.action.parameters().get(name);
			if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
				throw refused(this.action.type() + " needs a whole-number parameter '" + name + "'");
			}
			return value.asInt();
		}

		/** The distinct texts of an array parameter, in their order. */
		List<String> texts(String name) {
			JsonNode value = this.action.parameters().get(name);
			if (value == null || !value.isArray()) {
				throw refused(this.action.type() + " needs an array parameter '" + name + "'");
			}
			Set<String> texts = new LinkedHashSet<>();
			for (JsonNode element : value) {
				if (!element.isTextual() || element.asText().isBlank()) {
					throw refused(this.action.type() + " parameter '" + name + "' holds something other than text");
				}
				texts.add(element.asText());
			}
			return List.copyOf(texts);
		}

	}

}
