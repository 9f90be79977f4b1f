package io.countersign.gate;

import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.countersign.response.ResponseRecord;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.IdentityLink;

import org.springframework.stereotype.Component;

/**
 * Enforces the approval rules on every approval user task, on {@code create} and {@code complete}.
 * Throwing here rolls back the completion, so a refused task stays open with nothing recorded.
 */
@Component("approvalTaskListener")
class ApprovalTaskListener implements TaskListener {

	private final Responses responses;

	private final Decisions decisions;

	private final IdentityService identityService;

	private final Clock clock = Clock.systemUTC();

	ApprovalTaskListener(Responses responses, Decisions decisions, IdentityService identityService) {
		this.responses = responses;
		this.decisions = decisions;
		this.identityService = identityService;
	}

	@Override
	public void notify(DelegateTask task) {
		switch (task.getEventName()) {
			case EVENTNAME_CREATE -> created(task);
			case EVENTNAME_COMPLETE -> completing(task);
			default -> {
			}
		}
	}

	private void created(DelegateTask task) {
		// A decision must be submitted with this completion, never inherited from an earlier one.
		task.getExecution().removeVariable(ApprovalVariables.DECISION);
		task.getExecution().removeVariable(ApprovalVariables.REASON);
		task.getExecution().removeVariable(ApprovalVariables.APPROVED_FINGERPRINT);
		this.responses.event(task.getExecution().getProcessBusinessKey(), "TASK_CREATED", null,
				"'" + task.getName() + "' for " + candidateGroups(task));
	}

	private void completing(DelegateTask task) {
		String responseId = task.getExecution().getProcessBusinessKey();
		ResponseRecord response = this.responses.record(responseId)
			.orElseThrow(() -> new ApprovalRefusedException("known-response", "response " + responseId + " is unknown"));

		Authentication authentication = this.identityService.getCurrentAuthentication();
		if (authentication == null || authentication.getUserId() == null) {
			throw new ApprovalRefusedException("authenticated-approver",
					"an approval must be completed by an authenticated user");
		}
		String user = authentication.getUserId();
		Set<String> candidates = candidateGroups(task);
		Set<String> memberships = groupsOf(user);
		if (candidates.stream().noneMatch(memberships::contains)) {
			throw new ApprovalRefusedException("candidate-group",
					"user '" + user + "' is not a member of any candidate group " + candidates);
		}
		if (user.equals(response.requestedBy())) {
			throw new ApprovalRefusedException("not-requester",
					"user '" + user + "' requested this response and cannot decide it");
		}

		String decision = text(task, ApprovalVariables.DECISION);
		if (!ApprovalVariables.APPROVE.equals(decision) && !ApprovalVariables.REJECT.equals(decision)) {
			throw new InvalidDecisionException("decision-required", "decision must be APPROVE or REJECT");
		}
		String reason = text(task, ApprovalVariables.REASON);
		if (reason == null || reason.isBlank()) {
			throw new InvalidDecisionException("reason-required", "a reason is mandatory");
		}
		if (reason.length() > ApprovalVariables.MAX_REASON_LENGTH) {
			throw new InvalidDecisionException("reason-required",
					"reason is longer than " + ApprovalVariables.MAX_REASON_LENGTH + " characters");
		}
		String submitted = text(task, ApprovalVariables.APPROVED_FINGERPRINT);
		if (ApprovalVariables.APPROVE.equals(decision)) {
			if (submitted == null || submitted.isBlank()) {
				throw new InvalidDecisionException("fingerprint-match",
						"approvedFingerprint is mandatory: approve the exact staged action");
			}
			if (!submitted.equals(response.actionFingerprint())) {
				throw new InvalidDecisionException("fingerprint-match", "approvedFingerprint " + submitted
						+ " is not the staged action's fingerprint " + response.actionFingerprint());
			}
		}
		String fingerprint = submitted == null || submitted.isBlank() ? response.actionFingerprint() : submitted;
		this.decisions.append(responseId, task.getId(), user, decision, reason.strip(), fingerprint,
				this.clock.instant());
		this.responses.event(responseId, "DECIDED", user, decision + ": " + reason.strip());
		task.getExecution().setVariable(ApprovalVariables.APPROVER, user);
	}

	private static String text(DelegateTask task, String name) {
		Object value = task.getVariable(name);
		return value == null ? null : value.toString();
	}

	private static Set<String> candidateGroups(DelegateTask task) {
		return task.getCandidates()
			.stream()
			.map(IdentityLink::getGroupId)
			.filter(group -> group != null)
			.collect(Collectors.toCollection(TreeSet::new));
	}

	/**
	 * Memberships as stored now, not as cached in a web session: a user removed from a group a
	 * minute ago cannot approve. Read without authorization checks, since a user need not be
	 * allowed to list groups to be a member of one.
	 */
	private Set<String> groupsOf(String user) {
		return Context.getCommandContext()
			.runWithoutAuthorization(() -> this.identityService.createGroupQuery().groupMember(user).list())
			.stream()
			.map(Group::getId)
			.collect(Collectors.toSet());
	}

}
