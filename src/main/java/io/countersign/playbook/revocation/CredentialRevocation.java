package io.countersign.playbook.revocation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.playbook.GuardedActions;
import io.countersign.playbook.Staging;

import org.springframework.stereotype.Service;

/** Stages the revocation of a credential, its containment, and on request its restore. */
@Service
class CredentialRevocation {

	static final String RESTORE = "restore";

	private final Inventory inventory;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	CredentialRevocation(Inventory inventory, GuardedActions actions, ObjectMapper objectMapper) {
		this.inventory = inventory;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	record Staged(StagedAction action, String blastRadius, String rollbackPlan, boolean containmentStaged) {
	}

	Staged stage(String responseId, String identityId, String credentialId) {
		Identity identity = this.inventory.existing(identityId);
		Identity.Credential credential = identity.credential(credentialId);
		if (credential == null) {
			throw new InventoryConflictException("credential '" + credentialId + "' is no longer in the inventory");
		}
		StagedAction action = action(ActionTypes.CREDENTIAL_DISABLE, identityId, credentialId);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("credential", credentialId);
		blastRadius.put("status", credential.status().name());
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = Staging.consumersText(identity, "lose access when " + credentialId + " is disabled");
		String rollbackPlan = "Enable " + credentialId + " again. Within the policy's rollback window the identity "
				+ "owner or a security lead can ask for it; the restore needs its own approval.";
		this.actions.stage(responseId, GuardedActions.APPLY, action, blastRadius, rollbackPlan);
		boolean contain = credential.status() == CredentialStatus.ACTIVE;
		if (contain) {
			this.actions.stageContainment(responseId,
					action(ActionTypes.CREDENTIAL_SUSPEND, identityId, credentialId));
		}
		return new Staged(action, text, rollbackPlan, contain);
	}

	Staged stageRestore(String responseId) {
		StagedAction revoked = this.actions.action(responseId, GuardedActions.APPLY)
			.orElseThrow(() -> new IllegalStateException("response " + responseId + " revoked nothing"));
		String identityId = revoked.parameter("identity");
		String credentialId = revoked.parameter("credential");
		Identity identity = this.inventory.existing(identityId);
		StagedAction action = action(ActionTypes.CREDENTIAL_ENABLE, identityId, credentialId);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("credential", credentialId);
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = Staging.consumersText(identity, "regain access with " + credentialId
				+ "; if the credential is still exposed, so are they");
		String rollbackPlan = "Disable " + credentialId + " again.";
		this.actions.stage(responseId, RESTORE, action, blastRadius, rollbackPlan);
		return new Staged(action, text, rollbackPlan, false);
	}

	private StagedAction action(String type, String identityId, String credentialId) {
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		parameters.put("credential", credentialId);
		return new StagedAction(type, credentialId, parameters);
	}

}
