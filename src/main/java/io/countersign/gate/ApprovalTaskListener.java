package io.countersign.gate;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.countersign.audit.Ledger;
import io.countersign.notify.Notifications;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.IdentityLink;

import org.springframework.stereotype.Component;

/**
 * Enforces the gate's rules on every approval user task, on {@code create} and {@code complete}, whichever channel
 * completes it. Throwing here rolls back the completion, so a refused task stays open with no decision recorded.
 */
@Component("approvalTaskListener")
class ApprovalTaskListener implements TaskListener {

	private final ApprovalGate gate;

	private final Responses responses;

	private final IdentityService identityService;

	private final Ledger ledger;

	private final ApprovalTasks tasks;

	private final Clock clock;

	private final ApprovalCards cards;

	private final Notifications notifications;

	ApprovalTaskListener(ApprovalGate gate, Responses responses, IdentityService identityService, Ledger ledger,
			ApprovalTasks tasks, Clock clock, ApprovalCards cards, Notifications notifications) {
		this.cards = cards;
		this.notifications = notifications;
		this.ledger = ledger;
		this.tasks = tasks;
		this.clock = clock;
		this.gate = gate;
		this.responses = responses;
		this.identityService = identityService;
	}

	@Override
	public void notify(DelegateTask task) {
		// Not a switch: the engine may notify with no event name, which a switch on a String turns into an NPE.
		if (EVENTNAME_CREATE.equals(task.getEventName())) {
			created(task);
		}
		else if (EVENTNAME_COMPLETE.equals(task.getEventName())) {
			completing(task);
		}
	}

	private void created(DelegateTask task) {
		// A decision must be submitted with this completion, never inherited from an earlier one.
		task.getExecution().removeVariable(ApprovalVariables.DECISION);
		task.getExecution().removeVariable(ApprovalVariables.REASON);
		task.getExecution().removeVariable(ApprovalVariables.APPROVED_FINGERPRINT);
		task.getExecution().removeVariable(ApprovalVariables.NARROWED_TO);
		task.getExecution().removeVariable(ApprovalVariables.MONITOR_FOR);
		String responseId = task.getExecution().getProcessBusinessKey();
		ApprovalRequest request = this.gate.openRequest(responseId);
		this.tasks.insert(new ApprovalTasks.ApprovalTask(task.getId(), request.id(), responseId), this.clock.instant());
		this.cards.card(task.getId()).ifPresent(card -> CardTasks.schedule(task, card));
		this.responses.event(responseId, "TASK_CREATED", null,
				"'" + task.getName() + "' for " + candidateGroups(task) + ", " + this.gate.quorum(request).describe()
						+ " so far",
				Map.of("taskId", task.getId(), "approvalRequest", request.id()));
		this.notifications.taskCreated(task.getId());
	}

	private void completing(DelegateTask task) {
		Authentication authentication = this.identityService.getCurrentAuthentication();
		String user = authentication == null ? null : authentication.getUserId();
		// The request and the response come from what the gate recorded when it created this task, not from the
		// task's variables or the business key, which someone with update rights could change in between.
		ApprovalTasks.ApprovalTask recorded = this.tasks.find(task.getId()).orElse(null);
		String responseId = recorded == null ? task.getExecution().getProcessBusinessKey() : recorded.responseId();
		Quorum quorum;
		try {
			if (recorded == null) {
				throw new ApprovalRefusedException("known-request",
						"task " + task.getId() + " was not created by the approval gate; nothing can be decided on it");
			}
			Submissions.Submission submitted = Submissions.of(task.getId())
				.orElseThrow(() -> new ApprovalRefusedException("submitted-decision", "task " + task.getId()
						+ " was completed without a submission; a decision counts only as submitted with the"
						+ " completing call (Tasklist, engine-rest complete or submit-form, or our API)"));
			ignorePlanted(task, submitted, responseId, user);
			quorum = this.gate.decide(new ApprovalGate.Submission(recorded.requestId(), responseId, task.getId(), user,
					submitted.text(ApprovalVariables.DECISION), submitted.text(ApprovalVariables.REASON),
					submitted.text(ApprovalVariables.APPROVED_FINGERPRINT),
					extras(submitted, recorded.requestId(), responseId)));
		}
		catch (ApprovalRefusedException | InvalidDecisionException ex) {
			// The completion rolls back, so the attempt is recorded in a transaction of its own: who tried to
			// approve what they may not is exactly what an auditor asks about.
			this.ledger.appendIndependently(responseId, "REFUSED", user, ex.getMessage(),
					Map.of("rule", ((GateRefusal) ex).rule(), "taskId", task.getId()));
			throw ex;
		}
		task.getExecution().setVariable(ApprovalVariables.STATE, quorum.state().name());
		task.getExecution().setVariable(ApprovalVariables.STILL_NEEDED, quorum.stillNeeded());
		task.getExecution().setVariable(ApprovalVariables.PROGRESS, quorum.describe());
		ApprovalRequest request = this.gate.request(recorded.requestId(), responseId);
		task.getExecution().setVariable(ApprovalVariables.TASK_NAME,
				this.gate.taskName(request, quorum.approvers().size() + 1));
	}

	/**
	 * Variables that exist on the task itself before its completion were written by someone else than the completer:
	 * the gate writes only the task-list columns there and candidates hold no update right, so only an administrator
	 * could have. They are never read; the
	 * ledger says that they were there and were ignored.
	 */
	private void ignorePlanted(DelegateTask task, Submissions.Submission submitted, String responseId, String user) {
		Set<String> planted = CardTasks.planted(task);
		if (!planted.isEmpty()) {
			this.ledger.appendIndependently(responseId, "PLANTED_IGNORED", user,
					"Task-local variables " + planted + " existed before " + user
							+ " completed the task; they were ignored and only the submitted decision was read",
					Map.of("taskId", task.getId(), "variables", List.copyOf(planted), "submitted",
							List.copyOf(new TreeSet<>(submitted.variables().keySet()))));
		}
	}

	/** Whatever the request's options let the approver submit besides the decision; read only by name. */
	private Map<String, String> extras(Submissions.Submission submitted, String requestId, String responseId) {
		Map<String, String> extras = new HashMap<>();
		List<String> names = new ArrayList<>(List.of(ApprovalVariables.NARROWED_TO, ApprovalVariables.MONITOR_FOR));
		names.addAll(this.gate.request(requestId, responseId).options().confirmations());
		for (String name : names) {
			String value = submitted.text(name);
			if (value != null) {
				extras.put(name, value);
			}
		}
		return extras;
	}

	private static Set<String> candidateGroups(DelegateTask task) {
		return task.getCandidates()
			.stream()
			.map(IdentityLink::getGroupId)
			.filter(group -> group != null)
			.collect(Collectors.toCollection(TreeSet::new));
	}

}
