package io.countersign.playbook;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.countersign.audit.Ledger;
import io.countersign.gate.ExecutionBlockedException;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Which side-effecting step may run in which state, read from our tables at the moment the step runs. A process
 * instance started or modified at an arbitrary activity, or with listeners and input mappings skipped, carries
 * nothing but a business key, and a business key alone authorizes nothing: the step runs only when the response, the
 * recorded action and the approval request are exactly where the approved path would have brought them.
 */
@Component
public class ActionStateMachine {

	/** The steps that change a target. */
	public enum Step {

		/** Recording the action an approval will be about: it opens the response for approval again. */
		STAGE,
		/** Recording a restore or release of an applied action, which needs an approval of its own. */
		STAGE_UNDO,
		/** A reversible containment before anyone decided, where the policy allows it. */
		CONTAIN,
		/** Undoing that containment once the request closed without approval. */
		RELEASE_CONTAINMENT,
		/** The approved action. */
		APPLY,
		/** Checking the target shows the applied action. */
		VERIFY,
		/** Undoing an apply that failed or did not verify, in the same run. */
		ROLLBACK

	}

	/** Where the action a step is about stands, as our tables record it. */
	public enum ActionState {

		NONE, STAGED, APPLIED, VERIFIED, ROLLED_BACK, RELEASED

	}

	private record Rule(Set<ResponseStatus> responses, Set<ActionState> actions, String why) {
	}

	/**
	 * The allowed (response status, action state) pairs of each step. Rollback is only ever the second half of a
	 * failed apply: the response is still {@code APPLYING}; an applied and verified response is undone only through a
	 * restore or release that was staged and approved on its own.
	 */
	private static final Map<Step, Rule> RULES = new EnumMap<>(Map.of(
			Step.STAGE, new Rule(EnumSet.of(ResponseStatus.STAGING, ResponseStatus.AWAITING_APPROVAL,
					ResponseStatus.MONITORING), EnumSet.of(ActionState.NONE, ActionState.STAGED, ActionState.RELEASED),
					"an action is staged while the response is open and before it was applied"),
			// The action state here is that of the applied action the restore or release undoes.
			Step.STAGE_UNDO, new Rule(EnumSet.of(ResponseStatus.APPLIED, ResponseStatus.AWAITING_APPROVAL),
					EnumSet.of(ActionState.VERIFIED),
					"a restore or release is staged only while the action it undoes stands and the response is open"),
			Step.CONTAIN, new Rule(EnumSet.of(ResponseStatus.AWAITING_APPROVAL),
					EnumSet.of(ActionState.STAGED, ActionState.APPLIED),
					"containment runs only while a staged request awaits its decision"),
			Step.RELEASE_CONTAINMENT, new Rule(EnumSet.of(ResponseStatus.AWAITING_APPROVAL, ResponseStatus.MONITORING),
					EnumSet.of(ActionState.NONE, ActionState.STAGED, ActionState.APPLIED, ActionState.RELEASED),
					"containment is undone only when its request closed without approval"),
			Step.APPLY, new Rule(EnumSet.of(ResponseStatus.AWAITING_APPROVAL, ResponseStatus.APPLYING),
					EnumSet.of(ActionState.STAGED),
					"an action is applied once, after its approval, while the response is open"),
			Step.VERIFY, new Rule(EnumSet.of(ResponseStatus.APPLYING), EnumSet.of(ActionState.APPLIED, ActionState.VERIFIED),
					"only an action applied in this run is verified"),
			Step.ROLLBACK, new Rule(EnumSet.of(ResponseStatus.APPLYING),
					EnumSet.of(ActionState.STAGED, ActionState.APPLIED, ActionState.ROLLED_BACK),
					"rollback undoes only an apply of this run that failed or did not verify")));

	/** Approval request statuses that end a request without approval: only then may containment be undone. */
	private static final Set<String> CLOSED_WITHOUT_APPROVAL = Set.of("REJECTED", "EXPIRED", "REVISED", "DEFERRED",
			"DENIED", "CANCELLED");

	private final Responses responses;

	private final Ledger ledger;

	private final JdbcClient jdbc;

	ActionStateMachine(Responses responses, Ledger ledger, JdbcClient jdbc) {
		this.responses = responses;
		this.ledger = ledger;
		this.jdbc = jdbc;
	}

	/** True when the table allows {@code step} for a response in {@code status} with its action in {@code action}. */
	public static boolean allows(Step step, ResponseStatus status, ActionState action) {
		Rule rule = RULES.get(step);
		return rule.responses().contains(status) && rule.actions().contains(action);
	}

	/**
	 * Lets {@code step} of {@code purpose} run, or refuses it: the refusal is written to the ledger as {@code BLOCKED}
	 * in a transaction of its own, since the step's transaction rolls back (an incident) or ends the run blocked.
	 * @throws ExecutionBlockedException when our tables do not allow the step now
	 */
	public void require(String responseId, Step step, String purpose, ActionState action) {
		Optional<ResponseRecord> response = responseId == null ? Optional.empty() : this.responses.record(responseId);
		if (response.isEmpty()) {
			throw refuse(responseId, step, purpose, "no response " + responseId + " is on record");
		}
		ResponseStatus status = response.get().status();
		if (!allows(step, status, action)) {
			throw refuse(responseId, step, purpose, "the response is " + status + " and its " + purpose + " action is "
					+ action + "; " + RULES.get(step).why());
		}
		if (step == Step.RELEASE_CONTAINMENT && action == ActionState.APPLIED) {
			String request = latestRequestStatus(responseId).orElse("missing");
			if (!CLOSED_WITHOUT_APPROVAL.contains(request)) {
				throw refuse(responseId, step, purpose, "the approval request is " + request + "; "
						+ RULES.get(step).why());
			}
		}
	}

	private Optional<String> latestRequestStatus(String responseId) {
		return this.jdbc.sql("select status from approval_request where response_id = ? order by created_at desc, id desc")
			.param(responseId)
			.query(String.class)
			.list()
			.stream()
			.findFirst();
	}

	private ExecutionBlockedException refuse(String responseId, Step step, String purpose, String reason) {
		String message = step + " of " + purpose + " refused: " + reason;
		this.ledger.appendIndependently(responseId, "BLOCKED", null, message,
				Map.of("step", step.name(), "purpose", purpose == null ? "" : purpose, "rule", "approved-path"));
		return new ExecutionBlockedException(message);
	}

}
