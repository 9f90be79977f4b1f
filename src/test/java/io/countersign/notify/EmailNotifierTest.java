package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.identity.UserQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

@ExtendWith(OutputCaptureExtension.class)
class EmailNotifierTest {

	private static final String LINK = "http://tasklist/#/?task=t-1";

	private final JavaMailSender mailSender = mock(JavaMailSender.class);

	private final IdentityService identityService = mock(IdentityService.class);

	private final UserQuery userQuery = mock(UserQuery.class, RETURNS_SELF);

	@Test
	void shouldRefuseToStartWithInvalidFromAddress() {
		assertThatThrownBy(() -> notifier("countersign at example", List.of()))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("countersign.notify.email.from");
	}

	@Test
	void shouldRefuseToStartWithInvalidExtraRecipient() {
		assertThatThrownBy(() -> notifier("countersign@example.com", List.of("oncall@example.com", "not an address")))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("countersign.notify.email.extra-recipients")
			.hasMessageContaining("not an address");
	}

	@Test
	void shouldMailEachAddressOnceSkippingUsersWithoutOrWithBrokenAddress() {
		members(user("dave", "dave@example.com"), user("nomail", null), user("blank", " "),
				user("broken", "dave@example.com\r\nBcc: x@evil.example"), user("dave2", "DAVE@example.com"),
				user("grace", "grace@example.com"));

		notifier("countersign@example.com", List.of("oncall@example.com", "Grace@Example.com")).escalated(escalation(),
				LINK);

		assertThat(sent()).extracting(message -> message.getTo()[0])
			.containsExactly("dave@example.com", "grace@example.com", "oncall@example.com");
		assertThat(sent()).allSatisfy(message -> {
			assertThat(message.getTo()).hasSize(1);
			assertThat(message.getFrom()).isEqualTo("countersign@example.com");
			assertThat(message.getSubject()).isEqualTo("[Countersign] Approval escalated: Approve secret rotation");
			assertThat(message.getText()).contains(LINK);
		});
	}

	@Test
	void shouldWarnAndSendNothingWithoutRecipients(CapturedOutput output) {
		members(user("nomail", null));

		notifier("countersign@example.com", List.of()).escalated(escalation(), LINK);

		then(this.mailSender).should(never()).send(any(SimpleMailMessage[].class));
		assertThat(output).contains("WARN").contains("No escalation e-mail for response r-1");
	}

	private EmailNotifier notifier(String from, List<String> extraRecipients) {
		NotifyProperties defaults = NotifyPropertiesTest.bind(Map.of());
		return new EmailNotifier(this.mailSender, this.identityService, new NotifyProperties(
				new NotifyProperties.Email(true, from, extraRecipients), defaults.slack(), defaults.teams(),
				defaults.delivery()));
	}

	private void members(User... users) {
		given(this.identityService.createUserQuery()).willReturn(this.userQuery);
		given(this.userQuery.memberOfGroup("security-leads")).willReturn(this.userQuery);
		given(this.userQuery.list()).willReturn(Arrays.asList(users));
	}

	private List<SimpleMailMessage> sent() {
		ArgumentCaptor<SimpleMailMessage[]> messages = ArgumentCaptor.forClass(SimpleMailMessage[].class);
		then(this.mailSender).should().send(messages.capture());
		return List.of(messages.getValue());
	}

	private static User user(String id, String email) {
		User user = mock(User.class);
		given(user.getId()).willReturn(id);
		given(user.getEmail()).willReturn(email);
		return user;
	}

	private static Escalation escalation() {
		return new Escalation("r-1", "t-1", "Approve secret rotation", "Leaked key", "svc-payments",
				"credential.rotate", "sha256:abc", "security-leads", 1, null);
	}

}
