package io.countersign.agent;

import java.util.Date;

import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

/** The service tasks of {@code bpmn/agent-tool-access.bpmn}: each calls one step of {@link AgentActions}. */
final class AgentToolAccessDelegates {

	private AgentToolAccessDelegates() {
	}

	@Component("evaluateToolPolicyDelegate")
	static class EvaluatePolicy implements JavaDelegate {

		private final AgentActions actions;

		EvaluatePolicy(AgentActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			String id = execution.getProcessBusinessKey();
			ToolPolicyDecision decision = this.actions.evaluatePolicy(id, execution.getProcessDefinitionId());
			execution.setVariable(AgentToolAccessProcess.POLICY_RULE, decision.rule());
			if (!decision.allowed()) {
				throw new BpmnError(AgentToolAccessProcess.ERROR_TOOL_DENIED, decision.rule());
			}
			execution.setVariable(AgentToolAccessProcess.REVIEWER_GROUP, decision.reviewerGroup());
			execution.setVariable(AgentToolAccessProcess.REVIEW_TIMEOUT, decision.reviewTimeout().toString());
			execution.setVariable(AgentToolAccessProcess.MAX_DURATION, decision.maxDurationSeconds());
			execution.setVariable(AgentToolAccessProcess.STANDING_GRANTS,
					decision.standingGrants() == null ? "NONE" : decision.standingGrants().name());
			execution.setVariables(this.actions.reviewDefaults(id, decision));
		}

	}

	@Component("matchStandingGrantDelegate")
	static class MatchStandingGrant implements JavaDelegate {

		private final AgentActions actions;

		MatchStandingGrant(AgentActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			// Set by the policy step just before, in the same transaction: nobody can have changed them.
			String widest = (String) execution.getVariable(AgentToolAccessProcess.STANDING_GRANTS);
			int maxDuration = (Integer) execution.getVariable(AgentToolAccessProcess.MAX_DURATION);
			execution.setVariable(AgentToolAccessProcess.GRANT_MATCHED,
					this.actions
						.matchStandingGrant(execution.getProcessBusinessKey(),
								"NONE".equals(widest) ? null : GrantKind.valueOf(widest), maxDuration)
						.isPresent());
		}

	}

	@Component("grantToolAccessDelegate")
	static class GrantAccess implements JavaDelegate {

		private final AgentActions actions;

		GrantAccess(AgentActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			execution.setVariable(AgentToolAccessProcess.ACCESS_EXPIRES_AT,
					Date.from(this.actions.grantAccess(execution.getProcessBusinessKey())));
		}

	}

	@Component("denyToolCallDelegate")
	static class Deny implements JavaDelegate {

		private final AgentActions actions;

		Deny(AgentActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			this.actions.deny(execution.getProcessBusinessKey());
		}

	}

	@Component("expireToolCallDelegate")
	static class Expire implements JavaDelegate {

		private final AgentActions actions;

		Expire(AgentActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			this.actions.expire(execution.getProcessBusinessKey(),
					String.valueOf(execution.getVariable(AgentToolAccessProcess.REVIEW_TIMEOUT)));
		}

	}

	@Component("revokeToolAccessDelegate")
	static class Revoke implements JavaDelegate {

		private final AgentActions actions;

		Revoke(AgentActions actions) {
			this.actions = actions;
		}

		@Override
		public void execute(DelegateExecution execution) {
			Object by = execution.getVariable(AgentToolAccessProcess.REVOKED_BY);
			Object reason = execution.getVariable(AgentToolAccessProcess.REVOKE_REASON);
			this.actions.endAccess(execution.getProcessBusinessKey(), by == null ? null : by.toString(),
					reason == null ? null : reason.toString());
		}

	}

}
