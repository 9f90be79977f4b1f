package io.countersign.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.playbook.DetectionFacts;
import io.countersign.playbook.GuardedActions;
import io.countersign.playbook.Staging;
import io.countersign.response.PlaybookDefinition;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The test-only playbook {@code gate-harness} ({@code src/test/resources/bpmn/gate-harness.bpmn}): it stages one
 * {@code credential.rotate} of the detection's credential on the inventory and calls {@code guarded-action}, so the
 * gate is tested through the path every playbook takes, not through one playbook's diagram. A rotation, because the
 * shipped policy's rotation rules have every shape the gate tests need (one or two approvers, escalation, expiry).
 */
@TestConfiguration(proxyBeanMethods = false)
public class GateHarness {

	public static final String PROCESS_KEY = "gate-harness";

	public static final String TASK_STAGE = "Task_StageHarnessAction";

	public static final String CALL_GUARDED_ACTION = "CallActivity_GuardedAction";

	public static final String END_COMPLETED = "EndEvent_HarnessCompleted";

	public static final String END_REJECTED = "EndEvent_HarnessRejected";

	public static final String END_EXPIRED = "EndEvent_HarnessExpired";

	public static final String END_DENIED = "EndEvent_HarnessDenied";

	public static final String END_BLOCKED = "EndEvent_HarnessBlocked";

	@Bean
	PlaybookDefinition gateHarnessPlaybook() {
		return new PlaybookDefinition(PROCESS_KEY, PROCESS_KEY, true);
	}

	@Bean("stageGateHarnessDelegate")
	StageAction stageGateHarnessDelegate(Inventory inventory, GuardedActions actions, DetectionFacts facts) {
		return new StageAction(inventory, actions, facts);
	}

	/** Stages the rotation of the detection's credential from its current version to the next. */
	static class StageAction implements JavaDelegate {

		private static final ObjectMapper JSON = new ObjectMapper();

		private final Inventory inventory;

		private final GuardedActions actions;

		private final DetectionFacts facts;

		StageAction(Inventory inventory, GuardedActions actions, DetectionFacts facts) {
			this.inventory = inventory;
			this.actions = actions;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			Identity identity = this.inventory.existing(detection.identity());
			Identity.Credential credential = identity.credential(detection.credential());
			ObjectNode parameters = JSON.createObjectNode()
				.put("identity", identity.id())
				.put("credential", credential.id())
				.put("fromVersion", credential.currentVersion())
				.put("toVersion", credential.versions().size() + 1);
			StagedAction action = new StagedAction(ActionTypes.CREDENTIAL_ROTATE, credential.id(), parameters);
			JsonNode blastRadius = Staging.consumers(identity);
			String rollbackPlan = "Make version " + credential.currentVersion() + " current again.";
			this.actions.stage(detection.responseId(), GuardedActions.APPLY, action, blastRadius, rollbackPlan);
			Staging.publish(execution, action, Staging.consumersText(identity, "must pick up the new version"),
					rollbackPlan);
		}

	}

}
