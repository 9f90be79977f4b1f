package io.countersign.playbook.federation;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.playbook.GuardedActions;
import io.countersign.playbook.Staging;

import org.springframework.stereotype.Service;

/** Stages disabling a federated trust together with the partner's other credentials on the same identity. */
@Service
class FederationDisable {

	private final Inventory inventory;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	FederationDisable(Inventory inventory, GuardedActions actions, ObjectMapper objectMapper) {
		this.inventory = inventory;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	record Staged(StagedAction action, String blastRadius, String rollbackPlan) {
	}

	Staged stage(String responseId, String identityId, String trustId) {
		Identity identity = this.inventory.existing(identityId);
		Identity.Credential trust = trust(identity, trustId);
		if (trust.status() != CredentialStatus.ACTIVE) {
			throw new InventoryConflictException("federated trust '" + trust.id() + "' is already " + trust.status());
		}
		List<String> partners = identity.credentials()
			.stream()
			.filter(c -> !c.id().equals(trust.id()) && c.status() == CredentialStatus.ACTIVE)
			.map(Identity.Credential::id)
			.toList();
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		parameters.put("trust", trust.id());
		parameters.set("partnerCredentials", this.objectMapper.valueToTree(partners));
		StagedAction action = new StagedAction(ActionTypes.FEDERATION_DISABLE, trust.id(), parameters);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("trust", trust.id());
		blastRadius.set("partnerCredentials", this.objectMapper.valueToTree(partners));
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = "The partner can no longer federate into " + identityId + " through " + trust.id()
				+ (partners.isEmpty() ? "" : ", and " + partners + " stop working") + ".\n"
				+ Staging.consumersText(identity, "lose the partner's access");
		String rollbackPlan = "Enable " + trust.id() + (partners.isEmpty() ? "" : " and " + partners) + " again.";
		this.actions.stage(responseId, GuardedActions.APPLY, action, blastRadius, rollbackPlan);
		return new Staged(action, text, rollbackPlan);
	}

	/** The named credential if it is a federated trust, else the identity's only federated trust. */
	static Identity.Credential trust(Identity identity, String credentialId) {
		List<Identity.Credential> trusts = identity.credentials()
			.stream()
			.filter(c -> c.kind() == CredentialKind.FEDERATED_TRUST)
			.filter(c -> credentialId == null || c.id().equals(credentialId))
			.toList();
		if (trusts.size() != 1) {
			throw new InventoryConflictException(credentialId != null
					? "credential '" + credentialId + "' is not a federated trust of " + identity.id()
					: identity.id() + " has " + trusts.size() + " federated trusts; name one as the credential");
		}
		return trusts.get(0);
	}

}
