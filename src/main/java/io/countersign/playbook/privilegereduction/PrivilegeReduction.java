package io.countersign.playbook.privilegereduction;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
 * Stages a downgrade to the privileges the evidence shows in use, or, after an access owner narrowed the proposal,
 * the narrowed version, which is then approved on its own fingerprint.
 */
@Service
class PrivilegeReduction {

	/** The evidence field integrators report observed use in, as a JSON array of privilege names. */
	static final String USED_PRIVILEGES = "usedPrivileges";

	private final Inventory inventory;

	private final GuardedActions actions;

	private final ObjectMapper objectMapper;

	PrivilegeReduction(Inventory inventory, GuardedActions actions, ObjectMapper objectMapper) {
		this.inventory = inventory;
		this.actions = actions;
		this.objectMapper = objectMapper;
	}

	/** @param remove what the action takes away, for the form's narrowing field */
	record Staged(StagedAction action, String blastRadius, String rollbackPlan, List<String> remove) {
	}

	/**
	 * @param evidenceJson the detection's evidence, with {@code usedPrivileges}
	 * @param narrowedTo after a NARROW decision, the privileges the access owner left in the removal; else null
	 */
	Staged stage(String responseId, String identityId, String evidenceJson, String narrowedTo) {
		Identity identity = this.inventory.existing(identityId);
		Set<String> used = used(evidenceJson);
		List<String> remove = new ArrayList<>();
		if (narrowedTo != null && !narrowedTo.isBlank()) {
			StagedAction previous = this.actions.action(responseId, GuardedActions.APPLY)
				.orElseThrow(() -> new IllegalStateException("nothing was staged before the narrowing"));
			Set<String> before = new LinkedHashSet<>();
			previous.parameters().path("remove").forEach(p -> before.add(p.asText()));
			for (String privilege : narrowedTo.split(",")) {
				String name = privilege.strip();
				// The gate checked this already; checking again keeps a tampered variable from widening the action.
				if (!before.contains(name)) {
					throw new InventoryConflictException("narrowed privilege '" + name + "' was not in the proposal");
				}
				remove.add(name);
			}
		}
		else {
			identity.privileges().stream().filter(p -> !used.contains(p)).forEach(remove::add);
		}
		if (remove.isEmpty()) {
			throw new InventoryConflictException(identityId + " holds only privileges the evidence shows in use");
		}
		List<String> keep = identity.privileges().stream().filter(p -> !remove.contains(p)).toList();
		ObjectNode parameters = this.objectMapper.createObjectNode();
		parameters.put("identity", identityId);
		parameters.set("remove", this.objectMapper.valueToTree(remove));
		parameters.set("keep", this.objectMapper.valueToTree(keep));
		StagedAction action = new StagedAction(ActionTypes.PRIVILEGES_REDUCE, identityId, parameters);
		ObjectNode blastRadius = this.objectMapper.createObjectNode();
		blastRadius.set("remove", this.objectMapper.valueToTree(remove));
		blastRadius.set("keep", this.objectMapper.valueToTree(keep));
		blastRadius.set("usedPrivileges", this.objectMapper.valueToTree(used));
		blastRadius.set("consumers", Staging.consumers(identity));
		String text = "Removes " + remove + ", keeps " + keep + " (seen in use: " + used + ").\n"
				+ Staging.consumersText(identity, "fail on any call that needs a removed privilege");
		String rollbackPlan = "Grant " + remove + " to " + identityId + " again.";
		this.actions.stage(responseId, GuardedActions.APPLY, action, blastRadius, rollbackPlan);
		return new Staged(action, text, rollbackPlan, List.copyOf(remove));
	}

	private Set<String> used(String evidenceJson) {
		Set<String> used = new LinkedHashSet<>();
		try {
			JsonNode evidence = evidenceJson == null ? null : this.objectMapper.readTree(evidenceJson);
			JsonNode list = evidence == null ? null : evidence.get(USED_PRIVILEGES);
			if (list == null || !list.isArray()) {
				throw new InventoryConflictException("evidence has no " + USED_PRIVILEGES + " list");
			}
			list.forEach(p -> used.add(p.asText()));
		}
		catch (JsonProcessingException ex) {
			throw new InventoryConflictException("evidence is not JSON");
		}
		return used;
	}

}
