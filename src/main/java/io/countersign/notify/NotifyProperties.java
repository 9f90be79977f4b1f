package io.countersign.notify;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code countersign.notify.*}: the channels that tell people about escalated approvals. The log channel is always
 * on; the SMTP server itself is Spring Boot's {@code spring.mail.*}.
 */
@ConfigurationProperties("countersign.notify")
record NotifyProperties(@DefaultValue Email email) {

	/**
	 * @param enabled whether escalations are e-mailed to the members of the escalation group
	 * @param from the sender address
	 * @param extraRecipients addresses that get every escalation on top of the group's members (a team list, say);
	 * comma-separated in configuration
	 */
	record Email(boolean enabled, @DefaultValue("countersign@localhost") String from,
			@DefaultValue List<String> extraRecipients) {

		Email {
			// An environment variable like "a@x, ,b@y" or "" binds to blank entries; they are no recipients.
			extraRecipients = extraRecipients.stream()
				.map(String::strip)
				.filter(address -> !address.isEmpty())
				.toList();
		}

	}

}
