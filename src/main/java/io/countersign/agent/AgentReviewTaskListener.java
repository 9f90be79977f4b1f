package io.countersign.agent;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.countersign.audit.Ledger;
import io.countersign.gate.CardTasks;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.gate.Submissions;
import io.countersign.notify.Notifications;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;

import org.springframework.stereotype.Component;

/**
 * Enforces the review rules on {@code Task_ReviewToolCall} whichever channel completes it (Tasklist, engine-rest,
 * Java): throwing here rolls the completion back and the task stays open.
 */
@Component("agentReviewTaskListener")
class AgentReviewTaskListener implements TaskListener {

	private final AgentActions actions;

	private final IdentityService identityService;

	private final Ledger ledger;

	private final AgentReviewCards cards;

	private final Notifications notifications;

	AgentReviewTaskListener(AgentActions actions, IdentityService identityService, Ledger ledger,
			AgentReviewCards cards, Notifications notifications) {
		this.cards = cards;
		this.notifications = notifications;
		this.actions = actions;
		this.ledger = ledger;
		this.identityService = identityService;
	}

	@Override
	public void notify(DelegateTask task) {
		if (EVENTNAME_CREATE.equals(task.getEventName())) {
			// A decision must be submitted with the completion, never preset by whoever started the process.
			task.getExecution().removeVariable(AgentToolAccessProcess.DECISION);
			task.getExecution().removeVariable(AgentToolAccessProcess.REASON);
			this.cards.card(task.getId(), task.getExecution().getProcessBusinessKey(), task.getProcessDefinitionId())
				.ifPresent(card -> CardTasks.schedule(task, card));
			this.notifications.taskCreated(task.getId());
		}
		else if (EVENTNAME_COMPLETE.equals(task.getEventName())) {
			Authentication authentication = this.identityService.getCurrentAuthentication();
			String reviewer = authentication == null ? null : authentication.getUserId();
			String id = task.getExecution().getProcessBusinessKey();
			// The review is what the completing call submitted; a variable planted on the task beforehand (a second
			// reviewer writing decision=APPROVE and a 30-day grant) is never read.
			Submissions.Submission submitted = Submissions.of(task.getId()).orElse(null);
			if (submitted == null) {
				this.actions.refuseUnsubmitted(id, reviewer, task.getId());
			}
			Set<String> planted = CardTasks.planted(task);
			if (!planted.isEmpty()) {
				this.ledger.appendIndependently(id, "PLANTED_IGNORED", reviewer, "Task-local variables " + planted
						+ " existed before the review was completed; they were ignored and only the submitted review"
						+ " was read", Map.of("taskId", task.getId(), "variables", List.copyOf(planted)));
			}
			boolean approved = this.actions.review(id, task.getProcessDefinitionId(), reviewer,
					new AgentActions.Review(submitted.text(AgentToolAccessProcess.DECISION),
							submitted.text(AgentToolAccessProcess.REASON),
							whole(submitted, AgentToolAccessProcess.APPROVED_DURATION),
							submitted.text(AgentToolAccessProcess.APPROVED_SCOPE),
							submitted.text(AgentToolAccessProcess.STANDING_GRANT),
							submitted.text(AgentToolAccessProcess.GRANT_PATTERN),
							whole(submitted, AgentToolAccessProcess.GRANT_DAYS)));
			task.getExecution().setVariable(AgentToolAccessProcess.REVIEW_APPROVED, approved);
		}
	}

	/** Forms submit numbers as Long or Double, engine-rest callers sometimes as strings. */
	private static Integer whole(Submissions.Submission submitted, String name) {
		Object value = submitted.value(name);
		if (value == null || value.toString().isBlank()) {
			return null;
		}
		try {
			double number = value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString().strip());
			if (number != Math.rint(number) || Math.abs(number) > Integer.MAX_VALUE) {
				throw new NumberFormatException();
			}
			return (int) number;
		}
		catch (NumberFormatException ex) {
			throw new InvalidDecisionException(name, name + " must be a whole number, not " + value);
		}
	}

}
