package io.countersign.agent;

/** Ids and variable names of {@code bpmn/agent-tool-access.bpmn}; the business key is the agent action id. */
final class AgentToolAccessProcess {

	static final String KEY = "agent-tool-access";

	static final String TASK_REVIEW = "Task_ReviewToolCall";

	static final String MESSAGE_REVOKE = "Message_RevokeAccess";

	static final String ERROR_TOOL_DENIED = "TOOL_DENIED";

	// Shown to the reviewer; the row in agent_action is what is approved.
	static final String AGENT = "agent";

	static final String ACCOUNT = "accountId";

	static final String TOOL = "tool";

	static final String ARGUMENTS_DISPLAY = "argumentsDisplay";

	static final String PURPOSE = "purpose";

	static final String SCOPE = "scope";

	static final String REQUESTED_DURATION = "requestedDurationSeconds";

	static final String REQUEST_HASH = "requestHash";

	static final String POLICY_RULE = "policyRule";

	static final String REVIEWER_GROUP = "reviewerGroup";

	static final String REVIEW_TIMEOUT = "reviewTimeout";

	static final String MAX_DURATION = "maxDurationSeconds";

	static final String STANDING_GRANTS = "standingGrantsAllowed";

	static final String GRANT_MATCHED = "grantMatched";

	static final String ACCESS_EXPIRES_AT = "accessExpiresAt";

	// Submitted by the reviewer.
	static final String DECISION = "decision";

	static final String REASON = "reason";

	static final String APPROVED_DURATION = "approvedDurationSeconds";

	static final String APPROVED_SCOPE = "approvedScope";

	static final String STANDING_GRANT = "standingGrant";

	static final String GRANT_PATTERN = "grantPattern";

	static final String GRANT_DAYS = "grantDays";

	static final String REVIEW_APPROVED = "reviewApproved";

	// Set by the revocation message; absent when the timer ends the access.
	static final String REVOKED_BY = "revokedBy";

	static final String REVOKE_REASON = "revokeReason";

	/** Camunda stores longer strings in a column of 4,000 characters; the API shows the full arguments. */
	static final int MAX_DISPLAY_LENGTH = 3_900;

	private AgentToolAccessProcess() {
	}

}
