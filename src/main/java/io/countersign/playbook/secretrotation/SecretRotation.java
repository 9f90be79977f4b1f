package io.countersign.playbook.secretrotation;

import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.StagedAction;
import io.countersign.playbook.ActionStateMachine;
import io.countersign.gate.ExecutionBlockedException;
import io.countersign.gate.ExecutionGuard;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.receipt.ReceiptRejectedException;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;

import org.springframework.stereotype.Service;

/**
 * Stages, applies, verifies and rolls back a credential rotation against the inventory.
 * Apply and rollback are keyed by the response id, so a retried job never rotates twice.
 */
@Service
class SecretRotation {

	static final String CONNECTOR = "inventory";

	/** The purpose of the rotation in the state machine and the ledger. */
	static final String APPLY = "apply";

	private final Inventory inventory;

	private final Responses responses;

	private final ExecutionGuard guard;

	private final ObjectMapper objectMapper;

	private final ReceiptVerifier receipts;

	private final ActionStateMachine stateMachine;

	SecretRotation(Inventory inventory, Responses responses, ExecutionGuard guard, ObjectMapper objectMapper,
			ReceiptVerifier receipts, ActionStateMachine stateMachine) {
		this.receipts = receipts;
		this.stateMachine = stateMachine;
		this.inventory = inventory;
		this.responses = responses;
		this.guard = guard;
		this.objectMapper = objectMapper;
	}

	record Staged(StagedAction action, String blastRadiusText, String rollbackPlan) {
	}

	Staged stage(String responseId, String identityId, String credentialId) {
		this.stateMachine.require(responseId, ActionStateMachine.Step.STAGE, APPLY, state(responseId));
		Identity identity = this.inventory.find(identityId)
			.orElseThrow(() -> new IllegalStateException("identity '" + identityId + "' disappeared from the inventory"));
		Identity.Credential credential = identity.credential(credentialId);
		if (credential == null) {
			throw new IllegalStateException("credential '" + credentialId + "' disappeared from the inventory");
		}
		int from = credential.currentVersion();
		int to = credential.versions().stream().mapToInt(Identity.CredentialVersion::version).max().orElse(from) + 1;
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		parameters.put("credential", credentialId);
		parameters.put("fromVersion", from);
		parameters.put("toVersion", to);
		StagedAction action = new StagedAction(SecretRotationProcess.ACTION_TYPE, credentialId, parameters);

		ArrayNode blastRadius = this.objectMapper.createArrayNode();
		identity.consumers().forEach(consumer -> blastRadius.addObject()
			.put("consumer", consumer.name())
			.put("customerFacing", consumer.customerFacing())
			.put("lastUsedAt", consumer.lastUsedAt() == null ? null : consumer.lastUsedAt().toString()));
		String blastRadiusText = identity.consumers().isEmpty() ? "No known consumers."
				: identity.consumers()
					.stream()
					.map(c -> "- " + c.name() + (c.customerFacing() ? " (customer-facing)" : "")
							+ (c.lastUsedAt() == null ? "" : ", last used " + c.lastUsedAt()))
					.collect(Collectors.joining("\n", identity.consumers().size() + " consumer(s) must pick up version "
							+ to + ":\n", ""));
		String rollbackPlan = "Reactivate version " + from + " of " + credentialId + " and mark version " + to
				+ " rolled back.";
		this.responses.staged(responseId, action, blastRadius, rollbackPlan);
		return new Staged(action, blastRadiusText, rollbackPlan);
	}

	/**
	 * @throws io.countersign.gate.ExecutionBlockedException when the action is not the approved one
	 * @throws InventoryConflictException when the inventory refuses the rotation
	 */
	void apply(String responseId, String actionJson) {
		this.stateMachine.require(responseId, ActionStateMachine.Step.APPLY, APPLY, state(responseId));
		ExecutionGuard.Cleared cleared = this.guard.check(responseId, actionJson);
		StagedAction action = cleared.action();
		// The inventory is the connector here: it spends the receipt in the transaction that changes the credential,
		// so a rolled-back attempt leaves the receipt unspent for the retry.
		try {
			this.receipts.verifyAndConsume(cleared.receipt(), responseId, action.fingerprint(), CONNECTOR);
		}
		catch (ReceiptRejectedException ex) {
			String reason = "the approval receipt was refused (" + ex.reason() + "): " + ex.getMessage();
			this.responses.event(responseId, "BLOCKED", null, reason);
			throw new ExecutionBlockedException(reason);
		}
		this.responses.transition(responseId, ResponseStatus.APPLYING, "APPLYING", null,
				"Rotating " + action.target() + " to version " + action.intParameter("toVersion"));
		this.inventory.rotate(action.parameter("credential"), action.intParameter("fromVersion"),
				action.intParameter("toVersion"), applyKey(responseId));
		this.responses.event(responseId, "APPLIED", null,
				action.target() + " is now at version " + action.intParameter("toVersion"));
	}

	/** @throws InventoryConflictException when the new version is not the active one */
	void verify(String responseId) {
		this.stateMachine.require(responseId, ActionStateMachine.Step.VERIFY, APPLY, state(responseId));
		StagedAction action = approvedAction(responseId);
		String credential = action.parameter("credential");
		int to = action.intParameter("toVersion");
		if (!this.inventory.isActiveVersion(credential, to)) {
			throw new InventoryConflictException("verification failed: version " + to + " of " + credential
					+ " is not the active version");
		}
		this.responses.event(responseId, "VERIFIED", null, "Version " + to + " of " + credential + " is active");
	}

	void rollback(String responseId) {
		this.stateMachine.require(responseId, ActionStateMachine.Step.ROLLBACK, APPLY, state(responseId));
		// The stored action, not the process variable: rollback undoes exactly what was approved.
		StagedAction action = approvedAction(responseId);
		String credential = action.parameter("credential");
		int from = action.intParameter("fromVersion");
		if (this.inventory.restore(credential, from, applyKey(responseId))) {
			this.responses.event(responseId, "RESTORED", null,
					"Version " + from + " of " + credential + " is active again");
		}
		else {
			this.responses.event(responseId, "RESTORED", null, "Nothing was applied to " + credential
					+ "; nothing to undo");
		}
	}

	/**
	 * Where the rotation stands in the inventory: the version it creates under its change key exists once applied
	 * (ACTIVE, or RETIRED after a later rotation) and is ROLLED_BACK once undone. Apply and verify run in one transaction, so an applied
	 * rotation that is still there also verified.
	 */
	ActionStateMachine.ActionState state(String responseId) {
		ResponseRecord record = this.responses.record(responseId).orElse(null);
		if (record == null || record.stagedAction() == null) {
			return ActionStateMachine.ActionState.NONE;
		}
		StagedAction action = StagedAction.fromJson(record.stagedAction());
		return this.inventory.versionStatusByChangeKey(action.parameter("credential"), applyKey(responseId))
			.map(status -> "ROLLED_BACK".equals(status) ? ActionStateMachine.ActionState.ROLLED_BACK
					: ActionStateMachine.ActionState.APPLIED)
			.orElse(ActionStateMachine.ActionState.STAGED);
	}

	private static String applyKey(String responseId) {
		return responseId + ":apply";
	}

	private StagedAction approvedAction(String responseId) {
		ResponseRecord record = this.responses.record(responseId)
			.orElseThrow(() -> new IllegalStateException("response " + responseId + " is unknown"));
		return StagedAction.fromJson(record.stagedAction());
	}

}
