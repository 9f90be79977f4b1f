package io.countersign.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/**
 * E-mails an escalation to every member of the escalation group who has an e-mail address in Camunda, plus
 * {@code countersign.notify.email.extra-recipients}. Each recipient gets a message of their own, so nobody learns the
 * group's membership and one rejected address does not stop the others.
 */
@Component
@ConditionalOnProperty(prefix = "countersign.notify.email", name = "enabled", havingValue = "true")
class EmailNotifier implements EscalationNotifier {

	private static final Logger log = LoggerFactory.getLogger(EmailNotifier.class);

	private final JavaMailSender mailSender;

	private final IdentityService identityService;

	private final String from;

	private final List<String> extraRecipients;

	EmailNotifier(JavaMailSender mailSender, IdentityService identityService, NotifyProperties properties) {
		this.mailSender = mailSender;
		this.identityService = identityService;
		// Misconfigured addresses fail the start rather than every escalation, when nobody is watching.
		this.from = configuredAddress("countersign.notify.email.from", properties.email().from());
		this.extraRecipients = properties.email()
			.extraRecipients()
			.stream()
			.map(address -> configuredAddress("countersign.notify.email.extra-recipients", address))
			.toList();
	}

	@Override
	public void escalated(Escalation escalation, String taskUrl) {
		List<String> recipients = recipients(escalation);
		if (recipients.isEmpty()) {
			log.warn("No escalation e-mail for response {}: no member of group {} has an e-mail address and"
					+ " countersign.notify.email.extra-recipients is empty", escalation.responseId(),
					escalation.escalationGroup());
			return;
		}
		String subject = EscalationMail.subject(escalation);
		String body = EscalationMail.body(escalation, taskUrl);
		SimpleMailMessage[] messages = recipients.stream().map(to -> {
			SimpleMailMessage message = new SimpleMailMessage();
			message.setFrom(this.from);
			message.setTo(to);
			message.setSubject(subject);
			message.setText(body);
			return message;
		}).toArray(SimpleMailMessage[]::new);
		// One connection for all; on failure it throws after trying every message, naming the failed ones.
		this.mailSender.send(messages);
		log.info("Escalation e-mail for response {} sent to {} recipient(s)", escalation.responseId(), messages.length);
	}

	/** Members' addresses first, then the extra ones; de-duplicated ignoring case, in that order. */
	private List<String> recipients(Escalation escalation) {
		Map<String, String> byKey = new LinkedHashMap<>();
		addresses(members(escalation.escalationGroup()), "response " + escalation.responseId(), byKey);
		for (String address : this.extraRecipients) {
			byKey.putIfAbsent(address.toLowerCase(Locale.ROOT), address);
		}
		return new ArrayList<>(byKey.values());
	}

	/** The addresses of the groups' members (de-duplicated ignoring case); not the extra recipients. */
	List<String> memberAddresses(List<String> groupIds, String about) {
		Map<String, String> byKey = new LinkedHashMap<>();
		for (String groupId : groupIds) {
			addresses(members(groupId), about, byKey);
		}
		return new ArrayList<>(byKey.values());
	}

	/** The address of a user, if the user exists and has a valid one. */
	List<String> userAddress(String userId, String about) {
		Map<String, String> byKey = new LinkedHashMap<>();
		addresses(users(userId), about, byKey);
		return new ArrayList<>(byKey.values());
	}

	/** Sends one message to one recipient; throws when the SMTP server does not take it. */
	void send(String to, String subject, String body) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom(this.from);
		message.setTo(to);
		message.setSubject(subject);
		message.setText(body);
		this.mailSender.send(message);
	}

	private static void addresses(List<User> users, String about, Map<String, String> byKey) {
		for (User member : users) {
			String email = member.getEmail();
			if (email == null || email.isBlank()) {
				continue;
			}
			if (!isValid(email.strip())) {
				log.warn("E-mail about {} skips user {}: '{}' is not an e-mail address", about, member.getId(),
						PlainText.singleLine(email, 100));
				continue;
			}
			byKey.putIfAbsent(email.strip().toLowerCase(Locale.ROOT), email.strip());
		}
	}

	/**
	 * With authorization on, the engine filters a user query by the current user's READ permission on users. The
	 * notification thread has no engine authentication, so nothing is filtered; should this ever run on a thread
	 * that has one (an approver's request), the recipients must still not depend on who that is.
	 */
	private List<User> members(String groupId) {
		return withoutAuthentication(() -> this.identityService.createUserQuery().memberOfGroup(groupId).list());
	}

	private List<User> users(String userId) {
		return withoutAuthentication(() -> this.identityService.createUserQuery().userId(userId).list());
	}

	private List<User> withoutAuthentication(Supplier<List<User>> query) {
		Authentication caller = this.identityService.getCurrentAuthentication();
		if (caller != null) {
			this.identityService.clearAuthentication();
		}
		try {
			return query.get();
		}
		finally {
			if (caller != null) {
				this.identityService.setAuthentication(caller);
			}
		}
	}

	private static boolean isValid(String address) {
		try {
			new InternetAddress(address, true).validate();
			return true;
		}
		catch (AddressException ex) {
			return false;
		}
	}

	private static String configuredAddress(String property, String address) {
		if (!isValid(address)) {
			throw new IllegalStateException(property + " is not a single e-mail address: '" + address + "'");
		}
		return address;
	}

}
