package io.countersign.gate;

import java.util.List;

import io.countersign.action.StagedAction;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;

import org.springframework.stereotype.Component;

/**
 * Runs right before apply, in the same transaction: recomputes the fingerprint of the action
 * about to be executed and checks it against what was staged and what was approved in the
 * decision store. Any doubt blocks the action.
 */
@Component
public class ExecutionGuard {

	private final Responses responses;

	ExecutionGuard(Responses responses) {
		this.responses = responses;
	}

	/**
	 * @param actionJson the action as it is now, as the connector will execute it
	 * @throws ExecutionBlockedException when the action may not run
	 */
	public StagedAction check(String responseId, String actionJson) {
		ResponseRecord response = this.responses.record(responseId)
			.orElseThrow(() -> blocked(responseId, "the response is unknown"));
		if (actionJson == null || response.actionFingerprint() == null) {
			throw blocked(responseId, "there is no staged action to execute");
		}
		StagedAction action;
		try {
			action = StagedAction.fromJson(actionJson);
		}
		catch (IllegalArgumentException ex) {
			throw blocked(responseId, "the staged action is no longer valid JSON");
		}
		String current = action.fingerprint();
		if (!current.equals(response.actionFingerprint())) {
			throw blocked(responseId, "the action changed after it was staged and approved: fingerprint " + current
					+ " differs from approved " + response.actionFingerprint());
		}
		List<ResponseView.DecisionView> recorded = this.responses.decisions(responseId);
		if (recorded.stream().anyMatch(d -> ApprovalVariables.REJECT.equals(d.decision()))) {
			throw blocked(responseId, "the action was rejected");
		}
		boolean approved = recorded.stream()
			.anyMatch(d -> ApprovalVariables.APPROVE.equals(d.decision()) && current.equals(d.fingerprint())
					&& !d.approver().equals(response.requestedBy()));
		if (!approved) {
			throw blocked(responseId, "no approval of fingerprint " + current + " is on record");
		}
		return action;
	}

	private ExecutionBlockedException blocked(String responseId, String reason) {
		this.responses.event(responseId, "BLOCKED", null, reason);
		return new ExecutionBlockedException(reason);
	}

}
