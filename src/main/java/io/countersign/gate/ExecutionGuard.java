package io.countersign.gate;

import java.util.List;
import java.util.Map;

import io.countersign.action.StagedAction;
import io.countersign.receipt.IssuedReceipt;
import io.countersign.receipt.ReceiptRequest;
import io.countersign.receipt.Receipts;
import io.countersign.response.ResponseRecord;
import io.countersign.response.Responses;

import org.springframework.stereotype.Component;

/**
 * Runs right before apply, in the same transaction: recomputes the fingerprint of the action about to be executed
 * from the action as it is now, and requires the quorum for exactly that fingerprint in the decision store. Any
 * doubt blocks the action and leaves a {@code BLOCKED} entry in the ledger.
 */
@Component
public class ExecutionGuard {

	private final Responses responses;

	private final ApprovalRequests requests;

	private final ApprovalGate gate;

	private final Receipts receipts;

	ExecutionGuard(Responses responses, ApprovalRequests requests, ApprovalGate gate, Receipts receipts) {
		this.responses = responses;
		this.requests = requests;
		this.gate = gate;
		this.receipts = receipts;
	}

	/** What may run: the action, and the approval with the receipt the connector must verify. */
	public record Cleared(StagedAction action, String approvalRequestId, String receipt) {
	}

	/**
	 * @param actionJson the action as it is now, as the connector will execute it
	 * @throws ExecutionBlockedException when the action may not run
	 */
	public Cleared check(String responseId, String actionJson) {
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
		ApprovalRequest request = this.requests.latestFor(responseId, current)
			.orElseThrow(() -> blocked(responseId, "no approval of fingerprint " + current + " is on record"));
		if (request.status() != ApprovalRequest.Status.APPROVED) {
			throw blocked(responseId, "the approval request for " + current + " is " + request.status());
		}
		Quorum quorum = this.gate.quorum(request);
		if (quorum.state() != ApprovalRequest.Status.APPROVED) {
			throw blocked(responseId, "the decision store holds " + quorum.describe() + " of fingerprint " + current
					+ (quorum.state() == ApprovalRequest.Status.REJECTED ? " and a rejection" : ""));
		}
		return new Cleared(action, request.id(), request.receiptToken());
	}

	/**
	 * Clears a reversible containment step to run before anyone decided, only when the policy rule of the open
	 * request says so. No person approved it: the receipt names the policy rule as its approver ({@code policy:<rule>}),
	 * so a verifier and an auditor see what authorised it.
	 * @throws ExecutionBlockedException when the policy does not allow containment now
	 */
	public Cleared clearContainment(String responseId, StagedAction containment) {
		ApprovalRequest request = this.requests.latest(responseId)
			.orElseThrow(() -> blocked(responseId, "no approval request is open, so nothing may be contained"));
		if (request.status() != ApprovalRequest.Status.OPEN || !request.containFirst()) {
			throw blocked(responseId, "policy rule '" + request.policyRule() + "' does not allow containment before "
					+ "the decision (request " + request.status() + ")");
		}
		IssuedReceipt receipt = this.receipts.issue(new ReceiptRequest(responseId, containment.fingerprint(),
				List.of("policy:" + request.policyRule()),
				request.policyRule(), null, Map.of("approvalRequest", request.id(), "purpose", "contain",
						"authorisedBy", "policy:" + request.policyVersion())));
		return new Cleared(containment, request.id(), receipt.token());
	}

	private ExecutionBlockedException blocked(String responseId, String reason) {
		this.responses.event(responseId, "BLOCKED", null, reason);
		return new ExecutionBlockedException(reason);
	}

}
