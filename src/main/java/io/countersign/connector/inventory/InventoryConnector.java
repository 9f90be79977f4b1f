package io.countersign.connector.inventory;

import static io.countersign.action.ActionTypes.CREDENTIAL_DISABLE;
import static io.countersign.action.ActionTypes.CREDENTIAL_ENABLE;
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
import io.countersign.receipt.ReceiptVerifier;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out every type in {@link ActionTypes#ALL} on the NHI inventory. The status rules of each type live here,
 * once, and stage, apply and verify all read them; the inventory guards each write with the state it expects.
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

	private final ReceiptVerifier receipts;

	private final TransactionTemplate savepoint;

	InventoryConnector(Inventory inventory, ReceiptVerifier receipts, PlatformTransactionManager transactionManager) {
		this.inventory = inventory;
		this.receipts = receipts;
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
		Optional<InventoryChange> applied = this.inventory.change(call.idempotencyKey());
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
				this.inventory.changeCredentialStatus(change, identityId, parameters.text("credential"),
						transition.from(), transition.to());
			}
			case PRIVILEGES_REDUCE -> {
				Reduction reduction = Reduction.of(parameters);
				this.inventory.revokePrivileges(change, identityId, reduction.remove(), reduction.keep());
			}
			case IDENTITY_SUSPEND, IDENTITY_QUARANTINE, IDENTITY_RELEASE -> {
				Transition<IdentityStatus> transition = IDENTITY_TRANSITIONS.get(action.type());
				this.inventory.changeIdentityStatus(change, identityId, transition.from(), transition.to());
			}
			case WORKLOAD_ISOLATE -> this.inventory.isolateConsumer(change, identityId, parameters.text("workload"));
			case FEDERATION_DISABLE -> this.inventory.disableFederation(change, identityId, parameters.text("trust"),
					parameters.texts("partnerCredentials"));
			default -> throw unknownType(action);
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
		Optional<InventoryChange> applied = this.inventory.change(call.idempotencyKey());
		if (applied.isEmpty()) {
			return;
		}
		// The receipt authorises this action only: it must not undo a change some other action made.
		requireSameAction(applied.get(), call);
		try {
			this.savepoint.executeWithoutResult(status -> this.inventory.undo(call.idempotencyKey()));
		}
		catch (InventoryConflictException ex) {
			throw new ConnectorException(ex.getMessage(), ex);
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
