package io.countersign.playbook;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.countersign.audit.Ledger;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.gate.WithoutAuthorization;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.response.ElementProperties;
import io.countersign.response.ResponseVariables;
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
		Object reason = task.getVariable("reason");
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
		Object identity = task.getVariable(ResponseVariables.IDENTITY);
		String owner = identity == null ? null
				: this.inventory.find(identity.toString()).map(Identity::owner).orElse(null);
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
