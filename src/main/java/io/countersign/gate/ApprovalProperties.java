package io.countersign.gate;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Gate settings that are not policy. Who approves, how many and for how long is the DMN policy's business
 * ({@code bpmn/approval-policy.dmn}); separation of duties beyond the fixed rules is configured here because it
 * names people, not kinds of action.
 */
@ConfigurationProperties("countersign.approval")
public record ApprovalProperties(@DefaultValue SeparationOfDuties separationOfDuties) {

	/**
	 * @param credentialCreator refuse the person recorded as a credential's creator ({@code createdBy}) as an
	 * approver of actions on it
	 * @param excludedUsers users who never count as approvers, for example shared or break-glass accounts
	 */
	public record SeparationOfDuties(@DefaultValue("true") boolean credentialCreator,
			@DefaultValue List<String> excludedUsers) {

		public SeparationOfDuties {
			excludedUsers = excludedUsers == null ? List.of()
					: excludedUsers.stream().map(String::strip).filter(user -> !user.isEmpty()).toList();
		}

	}

}
