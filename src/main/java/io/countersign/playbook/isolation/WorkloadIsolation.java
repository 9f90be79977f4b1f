package io.countersign.playbook.isolation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.playbook.GuardedActions;

import org.springframework.stereotype.Service;

/**
 * Stages the isolation of one workload. What the responder confirmed about customers is part of the action, so it is
 * fingerprinted with it and feeds the approval policy.
 */
@Service
class WorkloadIsolation {

	/** The evidence field naming the workload (one of the identity's consumers) that used the secret. */
	static final String WORKLOAD = "workload";

	private final Inventory inventory;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	WorkloadIsolation(Inventory inventory, GuardedActions actions, ObjectMapper objectMapper) {
		this.inventory = inventory;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	record Staged(StagedAction action, String blastRadius, String rollbackPlan) {
	}

	Staged stage(String responseId, String identityId, String workload, boolean confirmedCustomerFacing) {
		Identity identity = this.inventory.existing(identityId);
		Identity.Consumer consumer = identity.consumers()
			.stream()
			.filter(c -> c.name().equals(workload))
			.findFirst()
			.orElseThrow(() -> new InventoryConflictException(
					"workload '" + workload + "' is not a consumer of " + identityId));
		boolean customerFacing = confirmedCustomerFacing || consumer.customerFacing();
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		parameters.put("workload", workload);
		parameters.put("customerFacing", customerFacing);
		StagedAction action = new StagedAction(ActionTypes.WORKLOAD_ISOLATE, workload, parameters);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.put("workload", workload);
		blastRadius.put("customerFacing", customerFacing);
		blastRadius.put("customerFacingInInventory", consumer.customerFacing());
		blastRadius.put("customerFacingConfirmedByResponder", confirmedCustomerFacing);
		blastRadius.put("lastUsedAt", consumer.lastUsedAt() == null ? null : consumer.lastUsedAt().toString());
		String text = workload + " is cut off from the network and from " + identityId + "."
				+ (customerFacing ? " It serves customers: they see an outage until it is de-isolated, so a security"
						+ " lead must approve too." : " It does not serve customers.")
				+ (consumer.lastUsedAt() == null ? "" : " Last used " + identityId + " at " + consumer.lastUsedAt() + ".");
		String rollbackPlan = "De-isolate " + workload + ".";
		this.actions.stage(responseId, GuardedActions.APPLY, action, blastRadius, rollbackPlan);
		return new Staged(action, text, rollbackPlan);
	}

}
