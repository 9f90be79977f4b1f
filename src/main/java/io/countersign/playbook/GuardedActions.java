package io.countersign.playbook;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.ActionConnector;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.gate.ExecutionBlockedException;
import io.countersign.gate.ExecutionGuard;
import io.countersign.receipt.ReceiptRejectedException;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import io.countersign.target.Targets;

import org.springframework.stereotype.Service;

/**
 * Stages, contains, applies, verifies and rolls back the actions of the seed playbooks through their connectors. The
 * action always comes from the database, apply always passes the execution guard, and every connector call carries
 * the action's idempotency key and its receipt.
 */
@Service
public class GuardedActions {

	/** Purpose of the action a playbook mainly asks for. */
	public static final String APPLY = "apply";

	/** Purpose of the reversible step some policies allow before the decision. */
	public static final String CONTAIN = "contain";

	private final ActionExecutions executions;

	private final Targets targets;

	private final ExecutionGuard guard;

	private final Responses responses;

	private final ActionStateMachine stateMachine;

	private final Clock clock = Clock.systemUTC();

	GuardedActions(ActionExecutions executions, Targets targets, ExecutionGuard guard, Responses responses,
			ActionStateMachine stateMachine) {
		this.stateMachine = stateMachine;
		this.executions = executions;
		this.targets = targets;
		this.guard = guard;
		this.responses = responses;
	}

	/**
	 * Checks with the connector that the action can run, records it, and makes it the action the next approval is
	 * for.
	 * @throws ConnectorException when the target cannot take the action
	 */
	public StagedAction stage(String responseId, String purpose, StagedAction action, JsonNode blastRadius,
			String rollbackPlan) {
		record(responseId, purpose, action);
		this.responses.staged(responseId, action, blastRadius, rollbackPlan);
		return action;
	}

	/**
	 * Records the containment the playbook would apply before the decision, if the policy allows it. It is not
	 * what anyone approves: the approval stays about the destructive action.
	 */
	public StagedAction stageContainment(String responseId, StagedAction containment) {
		record(responseId, CONTAIN, containment);
		return containment;
	}

	/** The connector checks the action can run; the execution remembers which connector will run it. */
	private void record(String responseId, String purpose, StagedAction action) {
		if (RecordedActionEffects.UNDOING.contains(purpose)) {
			this.stateMachine.require(responseId, ActionStateMachine.Step.STAGE_UNDO, purpose,
					this.executions.latest(responseId, APPLY).map(GuardedActions::state)
						.orElse(ActionStateMachine.ActionState.NONE));
		}
		else {
			this.stateMachine.require(responseId, ActionStateMachine.Step.STAGE, purpose,
					this.executions.latest(responseId, purpose).map(GuardedActions::state)
						.orElse(ActionStateMachine.ActionState.NONE));
		}
		ActionConnector connector = this.targets.forAction(action);
		connector.stage(new ConnectorCall(responseId, action, responseId + ":" + purpose + ":stage", null));
		this.executions.insert(new ActionExecutions.Execution(UUID.randomUUID().toString(), responseId, purpose, action,
				connector.name(), ActionExecutions.Status.STAGED, null, null), this.clock.instant());
	}

	/**
	 * Applies the staged containment, which the execution guard clears only when the open request's policy rule
	 * allows containment first.
	 * @return a one-line description for the approval form
	 */
	String contain(String responseId) {
		ActionExecutions.Execution execution = this.executions.latest(responseId, CONTAIN)
			.orElseThrow(() -> new IllegalStateException("response " + responseId + " staged no containment"));
		this.stateMachine.require(responseId, ActionStateMachine.Step.CONTAIN, CONTAIN, state(execution));
		if (execution.status() == ActionExecutions.Status.APPLIED) {
			return describeContainment(execution);
		}
		ExecutionGuard.Cleared cleared = this.guard.clearContainment(responseId, execution.action());
		call(execution).apply(new ConnectorCall(responseId, execution.action(), execution.idempotencyKey(),
				cleared.receipt()));
		this.executions.applied(execution.id(), cleared.approvalRequestId(), cleared.receipt(), this.clock.instant());
		String description = describeContainment(execution);
		this.responses.event(responseId, "CONTAINED", null, description + " before the decision, as policy allows; "
				+ "rejecting or letting the request expire undoes it",
				Map.of("fingerprint", execution.action().fingerprint(), "action", execution.action().toJsonNode()));
		return description;
	}

	/** Undoes a containment that is in place; nothing happens if none is. */
	void releaseContainment(String responseId, String why) {
		Optional<ActionExecutions.Execution> latest = this.executions.latest(responseId, CONTAIN);
		this.stateMachine.require(responseId, ActionStateMachine.Step.RELEASE_CONTAINMENT, CONTAIN,
				latest.map(GuardedActions::state).orElse(ActionStateMachine.ActionState.NONE));
		Optional<ActionExecutions.Execution> found = latest.filter(e -> e.status() == ActionExecutions.Status.APPLIED);
		if (found.isEmpty()) {
			return;
		}
		ActionExecutions.Execution execution = found.get();
		call(execution).rollback(new ConnectorCall(responseId, execution.action(), execution.idempotencyKey(),
				execution.receipt()));
		this.executions.mark(execution.id(), ActionExecutions.Status.RELEASED, this.clock.instant());
		this.responses.event(responseId, "CONTAINMENT_RELEASED", null,
				"Undid " + execution.action().type() + " of " + execution.action().target() + ": " + why);
	}

	/**
	 * @throws ExecutionBlockedException when the guard or the connector refuses: nothing was applied
	 * @throws ConnectorException when the target refused the change
	 */
	void apply(String responseId, String purpose) {
		Optional<ActionExecutions.Execution> staged = this.executions.latest(responseId, purpose);
		this.stateMachine.require(responseId, ActionStateMachine.Step.APPLY, purpose,
				staged.map(GuardedActions::state).orElse(ActionStateMachine.ActionState.NONE));
		ActionExecutions.Execution execution = staged.orElseThrow();
		ExecutionGuard.Cleared cleared = this.guard.check(responseId, execution.action().toJson());
		this.responses.transition(responseId, ResponseStatus.APPLYING, "APPLYING", null,
				execution.action().type() + " of " + execution.action().target() + " through " + execution.connector());
		try {
			call(execution).apply(new ConnectorCall(responseId, execution.action(), execution.idempotencyKey(),
					cleared.receipt()));
		}
		catch (ReceiptRejectedException ex) {
			String reason = "the approval receipt was refused (" + ex.reason() + "): " + ex.getMessage();
			this.responses.event(responseId, "BLOCKED", null, reason);
			throw new ExecutionBlockedException(reason);
		}
		this.executions.applied(execution.id(), cleared.approvalRequestId(), cleared.receipt(), this.clock.instant());
		this.responses.event(responseId, "APPLIED", null,
				execution.action().type() + " of " + execution.action().target() + " applied by " + execution.connector(),
				Map.of("fingerprint", execution.action().fingerprint(), "idempotencyKey", execution.idempotencyKey()));
	}

	/** @throws ConnectorException when the target does not show the change */
	void verify(String responseId, String purpose) {
		this.stateMachine.require(responseId, ActionStateMachine.Step.VERIFY, purpose,
				this.executions.latest(responseId, purpose).map(GuardedActions::state)
					.orElse(ActionStateMachine.ActionState.NONE));
		ActionExecutions.Execution execution = this.executions.latest(responseId, purpose)
			.filter(e -> e.status() == ActionExecutions.Status.APPLIED || e.status() == ActionExecutions.Status.VERIFIED)
			.orElseThrow(() -> new ConnectorException("nothing was applied for " + purpose + " of response " + responseId));
		call(execution).verify(new ConnectorCall(responseId, execution.action(), execution.idempotencyKey(),
				execution.receipt()));
		this.executions.mark(execution.id(), ActionExecutions.Status.VERIFIED, this.clock.instant());
		this.responses.transition(responseId, ResponseStatus.APPLIED, "VERIFIED", null,
				execution.action().target() + " shows " + execution.action().type());
	}

	/** Undoes what apply changed; a failed undo is a technical fault for an operator, never silently skipped. */
	void rollback(String responseId, String purpose) {
		Optional<ActionExecutions.Execution> found = this.executions.latest(responseId, purpose);
		this.stateMachine.require(responseId, ActionStateMachine.Step.ROLLBACK, purpose,
				found.map(GuardedActions::state).orElse(ActionStateMachine.ActionState.NONE));
		if (found.isEmpty() || found.get().status() == ActionExecutions.Status.STAGED) {
			this.responses.event(responseId, "RESTORED", null, "Nothing was applied; nothing to undo");
			return;
		}
		ActionExecutions.Execution execution = found.get();
		if (execution.status() == ActionExecutions.Status.ROLLED_BACK) {
			return;
		}
		call(execution).rollback(new ConnectorCall(responseId, execution.action(), execution.idempotencyKey(),
				execution.receipt()));
		this.executions.mark(execution.id(), ActionExecutions.Status.ROLLED_BACK, this.clock.instant());
		this.responses.event(responseId, "RESTORED", null,
				"Undid " + execution.action().type() + " of " + execution.action().target());
	}

	/** The action last staged for a purpose, as stored. */
	public Optional<StagedAction> action(String responseId, String purpose) {
		return this.executions.latest(responseId, purpose).map(ActionExecutions.Execution::action);
	}

	private static ActionStateMachine.ActionState state(ActionExecutions.Execution execution) {
		return ActionStateMachine.ActionState.valueOf(execution.status().name());
	}

	private ActionConnector call(ActionExecutions.Execution execution) {
		return this.targets.named(execution.connector());
	}

	private static String describeContainment(ActionExecutions.Execution execution) {
		return execution.action().type() + " of " + execution.action().target() + " is in place";
	}

}
