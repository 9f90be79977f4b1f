package io.countersign.playbook.quarantine;

import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.Inventory;
import io.countersign.playbook.GuardedActions;
import io.countersign.playbook.Staging;

import org.springframework.stereotype.Service;

/** Stages a quarantine, the suspension the policy may allow first, and on request the release. */
@Service
class IdentityQuarantine {

	static final String RELEASE = "release";

	private final Inventory inventory;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	IdentityQuarantine(Inventory inventory, GuardedActions actions, ObjectMapper objectMapper) {
		this.inventory = inventory;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	record Staged(StagedAction action, String blastRadius, String rollbackPlan, boolean containmentStaged) {
	}

	Staged stage(String responseId, String identityId) {
		Identity identity = this.inventory.existing(identityId);
		StagedAction action = action(ActionTypes.IDENTITY_QUARANTINE, identityId);
		String credentials = identity.credentials()
			.stream()
			.map(c -> c.id() + " (" + c.status() + ")")
			.collect(Collectors.joining(", "));
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("identity", identityId);
		blastRadius.put("credentials", credentials);
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = "Every credential of " + identityId + " stops working: " + (credentials.isEmpty() ? "none"
				: credentials) + ".\n" + Staging.consumersText(identity, "lose access while it is quarantined");
		String rollbackPlan = "Release " + identityId + " from quarantine: the owner, an analyst or a lead asks, and "
				+ "a security lead approves the release.";
		this.actions.stage(responseId, GuardedActions.APPLY, action, blastRadius, rollbackPlan);
		boolean contain = identity.status() == IdentityStatus.ACTIVE;
		if (contain) {
			this.actions.stageContainment(responseId, action(ActionTypes.IDENTITY_SUSPEND, identityId));
		}
		return new Staged(action, text, rollbackPlan, contain);
	}

	Staged stageRelease(String responseId) {
		StagedAction quarantined = this.actions.action(responseId, GuardedActions.APPLY)
			.orElseThrow(() -> new IllegalStateException("response " + responseId + " quarantined nothing"));
		String identityId = quarantined.parameter("identity");
		Identity identity = this.inventory.existing(identityId);
		StagedAction action = action(ActionTypes.IDENTITY_RELEASE, identityId);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("identity", identityId);
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = Staging.consumersText(identity, "regain access when " + identityId + " is released");
		String rollbackPlan = "Quarantine " + identityId + " again through a new response.";
		this.actions.stage(responseId, RELEASE, action, blastRadius, rollbackPlan);
		return new Staged(action, text, rollbackPlan, false);
	}

	private StagedAction action(String type, String identityId) {
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		return new StagedAction(type, identityId, parameters);
	}

}
