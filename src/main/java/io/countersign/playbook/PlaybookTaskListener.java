package io.countersign.playbook;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.countersign.audit.Ledger;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.gate.Submissions;
import io.countersign.gate.WithoutAuthorization;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.response.ElementProperties;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.IdentityLink;

import org.springframework.stereotype.Component;

/**
 * Guards the playbooks' own user tasks (asking for a restore, a release, confirming a workload), which are not
 * approvals but still start something: on {@code complete}, whichever channel completes it, the user must be a
 * current member of one of the task's candidate groups, or its candidate user. The completion is written to the
 * ledger; a refusal is written in a transaction of its own, since the completion rolls back.
 */
@Component("playbookTaskListener")
class PlaybookTaskListener implements TaskListener {

	private final IdentityService identityService;

	private final Responses responses;

	private final Ledger ledger;

	private final Inventory inventory;

	PlaybookTaskListener(IdentityService identityService, Responses responses, Ledger ledger, Inventory inventory) {
		this.inventory = inventory;
		this.identityService = identityService;
		this.responses = responses;
		this.ledger = ledger;
	}

	@Override
	public void notify(DelegateTask task) {
		if (EVENTNAME_CREATE.equals(task.getEventName())) {
			addOwner(task);
			return;
		}
		if (!EVENTNAME_COMPLETE.equals(task.getEventName())) {
			return;
		}
		String responseId = task.getExecution().getProcessBusinessKey();
		Authentication authentication = this.identityService.getCurrentAuthentication();
		String user = authentication == null ? null : authentication.getUserId();
		Set<String> groups = task.getCandidates()
			.stream()
			.map(IdentityLink::getGroupId)
			.filter(group -> group != null)
			.collect(Collectors.toSet());
		Set<String> users = task.getCandidates()
			.stream()
			.map(IdentityLink::getUserId)
			.filter(candidate -> candidate != null)
			.collect(Collectors.toSet());
		if (user == null || !(users.contains(user)
				|| WithoutAuthorization.groupsOf(this.identityService, user).stream().anyMatch(groups::contains))) {
			ApprovalRefusedException refusal = new ApprovalRefusedException("candidate-group", "user '" + user
					+ "' may not complete '" + task.getName() + "': only " + users + " or members of " + groups);
			this.ledger.appendIndependently(responseId, "REFUSED", user, refusal.getMessage(),
					Map.of("rule", refusal.rule(), "taskId", task.getId()));
			throw refusal;
		}
		// What the ledger records is what this user submitted, never a variable someone else left on the task.
		Submissions.Submission submitted = Submissions.of(task.getId()).orElse(null);
		if (submitted == null) {
			ApprovalRefusedException refusal = new ApprovalRefusedException("submitted-decision", "'"
					+ task.getName() + "' was completed without a submission; it counts only as submitted with the"
					+ " completing call");
			this.ledger.appendIndependently(responseId, "REFUSED", user, refusal.getMessage(),
					Map.of("rule", refusal.rule(), "taskId", task.getId()));
			throw refusal;
		}
		String reason = submitted.text("reason");
		this.responses.event(responseId, "TASK_COMPLETED", user, task.getName()
				+ (reason == null ? "" : ": " + reason), Map.of("task", task.getTaskDefinitionKey()));
	}

	/**
	 * Where the diagram says so ({@code ownerMayComplete}), the identity's owner may complete the task too: as a
	 * candidate user or group if the owner is a Camunda user or group. A team name nobody logs in as adds nobody.
	 */
	private void addOwner(DelegateTask task) {
		if (!"true".equals(ElementProperties.of(task.getExecution(), "ownerMayComplete").orElse(null))) {
			return;
		}
		// The identity is the response's, as stored; a variable could name anyone's identity (and so its owner).
		String owner = this.responses.record(task.getExecution().getProcessBusinessKey())
			.flatMap(response -> this.inventory.find(response.identity()))
			.map(Identity::owner)
			.orElse(null);
		if (owner == null) {
			return;
		}
		if (WithoutAuthorization.call(() -> this.identityService.createUserQuery().userId(owner).count()) > 0) {
			task.addCandidateUser(owner);
		}
		else if (WithoutAuthorization.call(() -> this.identityService.createGroupQuery().groupId(owner).count()) > 0) {
			task.addCandidateGroup(owner);
		}
	}

}
