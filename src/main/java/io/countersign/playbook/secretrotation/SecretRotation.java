package io.countersign.playbook.secretrotation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.playbook.GuardedActions;
import io.countersign.playbook.Staging;

import org.springframework.stereotype.Service;

/**
 * Stages the rotation of a credential to its next version. Applying, verifying and rolling it back is the guarded
 * action's, through the connector of the identity's target.
 */
@Service
class SecretRotation {

	private final Inventory inventory;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	SecretRotation(Inventory inventory, GuardedActions actions, ObjectMapper objectMapper) {
		this.inventory = inventory;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	record Staged(StagedAction action, String blastRadius, String rollbackPlan) {
	}

	Staged stage(String responseId, String identityId, String credentialId) {
		Identity identity = this.inventory.existing(identityId);
		Identity.Credential credential = identity.credential(credentialId);
		if (credential == null) {
			throw new InventoryConflictException("credential '" + credentialId + "' is no longer in the inventory");
		}
		int from = credential.currentVersion();
		// After every version on record, including rolled-back ones: a version number is never reused.
		int to = credential.versions().stream().mapToInt(Identity.CredentialVersion::version).max().orElse(from) + 1;
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		parameters.put("credential", credentialId);
		parameters.put("fromVersion", from);
		parameters.put("toVersion", to);
		StagedAction action = new StagedAction(ActionTypes.CREDENTIAL_ROTATE, credentialId, parameters);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("credential", credentialId);
		blastRadius.put("fromVersion", from);
		blastRadius.put("toVersion", to);
		blastRadius.put("target", identity.target());
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = Staging.consumersText(identity, "must pick up version " + to + " of " + credentialId
				+ " from the secret sink of target " + identity.target());
		String rollbackPlan = "Make version " + from + " of " + credentialId + " current again and mark version " + to
				+ " rolled back. Countersign never holds the material: consumers that already read version " + to
				+ " from the secret sink go back to the secret they had.";
		this.actions.stage(responseId, GuardedActions.APPLY, action, blastRadius, rollbackPlan);
		return new Staged(action, text, rollbackPlan);
	}

}
