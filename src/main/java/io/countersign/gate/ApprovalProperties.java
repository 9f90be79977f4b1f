package io.countersign.gate;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Approval timing until a policy decides it per action. Durations are ISO-8601 ({@code PT4H}).
 * An expired approval denies the action; escalation only adds approvers.
 */
@ConfigurationProperties("countersign.approval")
public record ApprovalProperties(@DefaultValue("PT4H") Duration escalateAfter,
		@DefaultValue("PT24H") Duration expireAfter, @DefaultValue("security-leads") String escalationGroup) {

	public ApprovalProperties {
		if (escalateAfter.isNegative() || escalateAfter.isZero() || expireAfter.isNegative() || expireAfter.isZero()) {
			throw new IllegalArgumentException("countersign.approval durations must be positive");
		}
	}

}
