package io.countersign.playbook;

import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.response.ResponseVariables;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/** What every playbook's staging step shares: the blast radius of an identity, and what the approval form shows. */
public final class Staging {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private Staging() {
	}

	/** The workloads that depend on the identity, with last use: what breaks if the action goes wrong. */
	public static JsonNode consumers(Identity identity) {
		ArrayNode consumers = MAPPER.createArrayNode();
		identity.consumers()
			.forEach(consumer -> consumers.addObject()
				.put("consumer", consumer.name())
				.put("customerFacing", consumer.customerFacing())
				.put("lastUsedAt", consumer.lastUsedAt() == null ? null : consumer.lastUsedAt().toString()));
		return consumers;
	}

	public static String consumersText(Identity identity, String effect) {
		if (identity.consumers().isEmpty()) {
			return "No known consumers of " + identity.id() + ".";
		}
		return identity.consumers()
			.stream()
			.map(c -> "- " + c.name() + (c.customerFacing() ? " (customer-facing)" : "")
					+ (c.lastUsedAt() == null ? ", never seen using it" : ", last used " + c.lastUsedAt()))
			.collect(Collectors.joining("\n", identity.consumers().size() + " consumer(s) of " + identity.id() + " "
					+ effect + ":\n", ""));
	}

	/** Shows the staged action on the approval form; the approver approves its fingerprint. */
	public static void publish(DelegateExecution execution, StagedAction action, String blastRadius,
			String rollbackPlan) {
		execution.setVariable(ResponseVariables.STAGED_ACTION, action.toJsonNode().toPrettyString());
		execution.setVariable(ResponseVariables.ACTION_FINGERPRINT, action.fingerprint());
		execution.setVariable(ResponseVariables.BLAST_RADIUS, blastRadius);
		execution.setVariable(ResponseVariables.ROLLBACK_PLAN, rollbackPlan);
	}

	/**
	 * Runs a staging step; a target that cannot take the action ends the playbook through its modelled
	 * {@code STAGE_REFUSED} boundary instead of retrying.
	 */
	public static <T> T orRefuse(Supplier<T> step) {
		try {
			return step.get();
		}
		catch (ConnectorException | InventoryConflictException ex) {
			throw new BpmnError(GuardedActionProcess.ERROR_STAGE_REFUSED, ex.getMessage());
		}
	}

}
