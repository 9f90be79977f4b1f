package io.countersign.agent;

/**
 * What {@code bpmn/agent-tool-policy.dmn} says about one tool.
 *
 * @param rule the matched rule, or the reason nothing matched
 * @param version the id of the decision definition that answered ({@code agent-tool-policy:2:<uuid>}), or
 * {@code null} when there was none to ask
 * @param allowed whether agents may ask at all; {@code false} denies without a reviewer
 * @param standingGrants the widest standing grant a reviewer may create, {@code null} for none
 */
record ToolPolicyDecision(String rule, String version, boolean allowed, String reviewerGroup,
		java.time.Duration reviewTimeout, int maxDurationSeconds, GrantKind standingGrants, int maxGrantDays) {

	static ToolPolicyDecision denied(String reason, String version) {
		return new ToolPolicyDecision(reason, version, false, null, null, 0, null, 0);
	}

}
