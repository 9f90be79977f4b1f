package io.countersign.gate;

import java.time.Duration;

import io.countersign.action.StagedAction;
import io.countersign.inventory.Environment;
import io.countersign.inventory.PrivilegeLevel;
import io.countersign.response.ResponseRecord;
import io.countersign.response.Responses;
import io.countersign.response.Severity;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Who approves a change to Countersign's own models. Not the approval policy: it is one of the models being changed,
 * so it could weaken the approval of changes to itself, and one broken rule would leave no way to repair it. The
 * configuration names the group; one member who did not ask approves (separation of duties keeps the requester out).
 */
@Component
class ModelChangeApproval {

	static final String RULE = "model-change";

	static final String VERSION = "countersign.model-changes";

	private final PolicyDecision decision;

	ModelChangeApproval(@Value("${countersign.model-changes.approver-group:security-leads}") String group,
			@Value("${countersign.model-changes.required-approvals:1}") int requiredApprovals,
			@Value("${countersign.model-changes.escalate-after:PT8H}") Duration escalateAfter,
			@Value("${countersign.model-changes.expire-after:P3D}") Duration expireAfter) {
		if (group == null || group.isBlank()) {
			throw new IllegalStateException("countersign.model-changes.approver-group must name a group");
		}
		if (requiredApprovals < 1) {
			throw new IllegalStateException("countersign.model-changes.required-approvals must be at least 1");
		}
		if (escalateAfter.isNegative() || escalateAfter.isZero() || expireAfter.compareTo(escalateAfter) <= 0) {
			throw new IllegalStateException(
					"countersign.model-changes: escalate-after must be positive and shorter than expire-after");
		}
		this.decision = new PolicyDecision(RULE, group.strip(), requiredApprovals, escalateAfter, group.strip(),
				expireAfter, false, null, null);
	}

	static boolean concerns(ResponseRecord response) {
		return Responses.COUNTERSIGN_MODELS.equals(response.identity());
	}

	/** What the timeline records as the request's facts: the strictest target there is. */
	PolicyInput input(StagedAction action) {
		return new PolicyInput(action.type(), Environment.PRODUCTION.json(), Severity.CRITICAL.json(),
				PrivilegeLevel.ADMIN.json(), true);
	}

	PolicyEvaluation evaluation() {
		return new PolicyEvaluation(this.decision, null, VERSION);
	}

}
