package io.countersign.agent;

import io.countersign.gate.InvalidDecisionException;
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

	AgentReviewTaskListener(AgentActions actions, IdentityService identityService) {
		this.actions = actions;
		this.identityService = identityService;
	}

	@Override
	public void notify(DelegateTask task) {
		if (EVENTNAME_CREATE.equals(task.getEventName())) {
			// A decision must be submitted with the completion, never preset by whoever started the process.
			task.getExecution().removeVariable(AgentToolAccessProcess.DECISION);
			task.getExecution().removeVariable(AgentToolAccessProcess.REASON);
		}
		else if (EVENTNAME_COMPLETE.equals(task.getEventName())) {
			Authentication authentication = this.identityService.getCurrentAuthentication();
			String reviewer = authentication == null ? null : authentication.getUserId();
			boolean approved = this.actions.review(task.getExecution().getProcessBusinessKey(), reviewer,
					new AgentActions.Review(text(task, AgentToolAccessProcess.DECISION),
							text(task, AgentToolAccessProcess.REASON),
							whole(task, AgentToolAccessProcess.APPROVED_DURATION),
							text(task, AgentToolAccessProcess.APPROVED_SCOPE),
							text(task, AgentToolAccessProcess.STANDING_GRANT),
							text(task, AgentToolAccessProcess.GRANT_PATTERN),
							whole(task, AgentToolAccessProcess.GRANT_DAYS)));
			task.getExecution().setVariable(AgentToolAccessProcess.REVIEW_APPROVED, approved);
		}
	}

	private static String text(DelegateTask task, String name) {
		Object value = task.getVariable(name);
		return value == null ? null : value.toString();
	}

	/** Forms submit numbers as Long or Double, engine-rest callers sometimes as strings. */
	private static Integer whole(DelegateTask task, String name) {
		Object value = task.getVariable(name);
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
