package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.util.ServerSetup;
import io.countersign.gate.ApprovalGateProcess;
import io.countersign.inventory.Inventory;
import io.countersign.response.Responses;
import io.countersign.security.Groups;
import io.countersign.support.ProcessEngineTest;
import io.countersign.support.ResponseScenario;
import io.countersign.support.TestIdentities;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The whole path from {@link Notifications#escalated} to a mailbox: the application's transaction manager, the
 * engine's identity service with authorization on, Spring Boot's mail sender and GreenMail as the SMTP server.
 */
@ProcessEngineTest
@TestPropertySource(properties = { "countersign.notify.email.enabled=true",
		"countersign.notify.email.from=countersign@countersign.invalid",
		"countersign.notify.email.extra-recipients=secops-oncall@countersign.invalid, DAVE@countersign.invalid",
		"countersign.tasklist.base-url=https://countersign.example/camunda/app/tasklist/default" })
@ExtendWith(OutputCaptureExtension.class)
class EscalationEmailTest {

	/** A free port rather than GreenMail's fixed 3025: other builds may run on this machine at the same time. */
	private static final int SMTP_PORT = freePort();

	@RegisterExtension
	static final GreenMailExtension smtp = new GreenMailExtension(
			new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
		.withPerMethodLifecycle(false);

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	Notifications notifications;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	@Autowired
	EmailNotifier emailNotifier;

	@Autowired
	RecordingNotifier recorder;

	@Autowired
	IdentityService identityService;

	@Autowired
	ProcessEngineConfiguration engineConfiguration;

	@Autowired
	PlatformTransactionManager transactionManager;

	@DynamicPropertySource
	static void smtpServer(DynamicPropertyRegistry registry) {
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> SMTP_PORT);
	}

	@BeforeEach
	void reset() throws FolderException {
		smtp.purgeEmailFromAllMailboxes();
		this.recorder.received.clear();
		this.recorder.failing = false;
		// dave is the demo security lead; grace is a second one; heidi leads too but has no address.
		member("grace", "grace@countersign.invalid");
		member("heidi", null);
	}

	@Test
	void shouldEmailEveryGroupMemberAndExtraRecipientWhenTheEscalationCommits() throws Exception {
		Escalation escalation = escalation();

		transaction().executeWithoutResult(status -> {
			this.notifications.escalated(escalation);
			// Still inside the transaction: nothing may have gone out yet.
			assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
			assertThat(this.recorder.received).isEmpty();
		});

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		MimeMessage[] mails = smtp.getReceivedMessages();
		assertThat(mails).extracting(EscalationEmailTest::to)
			.containsExactlyInAnyOrder("dave@countersign.invalid", "grace@countersign.invalid",
					"secops-oncall@countersign.invalid");
		for (MimeMessage mail : mails) {
			assertThat(mail.getSubject()).isEqualTo("[Countersign] Approval escalated: Approve secret rotation");
			assertThat(mail.getFrom()).extracting(Address::toString).containsExactly("countersign@countersign.invalid");
			assertThat((String) mail.getContent())
				.contains("https://countersign.example/camunda/app/tasklist/default/#/?task=" + escalation.taskId())
				.contains("Summary:                Deploy key leaked in CI logs")
				.contains("Identity:               svc-payments")
				.contains("Action type:            credential.rotate")
				.contains("Action fingerprint:     " + escalation.actionFingerprint())
				.contains("Approvals still needed: 1")
				.contains("Expires:                2026-11-21 16:30 UTC")
				.contains("Response:               " + escalation.responseId());
		}
		assertThat(this.recorder.received).containsExactly(escalation.responseId());
	}

	@Test
	void shouldSendNothingWhenTheEscalationRollsBack() {
		transaction().executeWithoutResult(status -> {
			this.notifications.escalated(escalation());
			status.setRollbackOnly();
		});

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		assertThat(smtp.getReceivedMessages()).isEmpty();
		assertThat(this.recorder.received).isEmpty();
	}

	@Test
	void shouldSendNothingWhenTheEngineCommandFailsAfterEscalating() {
		ProcessEngineConfigurationImpl engine = (ProcessEngineConfigurationImpl) this.engineConfiguration;

		try {
			engine.getCommandExecutorTxRequired().execute(commandContext -> {
				this.notifications.escalated(escalation());
				throw new IllegalStateException("the escalation job fails after calling the notifier");
			});
		}
		catch (IllegalStateException expected) {
			// the job executor would retry it; the retry escalates and notifies again
		}

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		assertThat(smtp.getReceivedMessages()).isEmpty();
	}

	@Test
	void shouldStillEmailWhenAnotherNotifierFails(CapturedOutput output) {
		this.recorder.failing = true;
		Escalation escalation = escalation();

		transaction().executeWithoutResult(status -> this.notifications.escalated(escalation));

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		assertThat(smtp.getReceivedMessages()).hasSize(3);
		assertThat(output).contains("RecordingNotifier failed to notify the escalation of response "
				+ escalation.responseId());
	}

	@Test
	void shouldLogAndNotThrowWhenTheSmtpServerIsDown(CapturedOutput output) {
		Escalation escalation = escalation();
		smtp.stop();
		try {
			transaction().executeWithoutResult(status -> this.notifications.escalated(escalation));

			assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		}
		finally {
			smtp.start();
		}
		assertThat(output).contains("EmailNotifier failed to notify the escalation of response "
				+ escalation.responseId());
		assertThat(this.recorder.received).containsExactly(escalation.responseId());
	}

	@Test
	void shouldFindAllMembersWhateverEngineUserIsAuthenticated() {
		// alice may read only her own user; the recipients must not depend on who is authenticated on the thread.
		TestIdentities.runAs(this.identityService, "alice", () -> {
			this.emailNotifier.escalated(escalation(), "https://tasklist/#/?task=t");
			assertThat(this.identityService.getCurrentAuthentication().getUserId()).isEqualTo("alice");
		});

		assertThat(smtp.getReceivedMessages()).extracting(EscalationEmailTest::to)
			.containsExactlyInAnyOrder("dave@countersign.invalid", "grace@countersign.invalid",
					"secops-oncall@countersign.invalid");
	}

	private TransactionTemplate transaction() {
		return new TransactionTemplate(this.transactionManager);
	}

	@Test
	void shouldEmailTheEscalationGroupWhenTheApprovalGateEscalates() throws Exception {
		ResponseScenario rotation = new ResponseScenario(this.processEngine, this.inventory, this.responses,
				ResponseScenario.Options.secretRotation());
		rotation.requestedBy("scanner");
		String stageJob = this.processEngine.getManagementService()
			.createJobQuery()
			.processInstanceId(rotation.processInstance().getId())
			.singleResult()
			.getId();
		this.processEngine.getManagementService().executeJob(stageJob);
		String taskId = rotation.approvalTask().getId();

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		smtp.purgeEmailFromAllMailboxes();

		rotation.fireGateTimer(ApprovalGateProcess.BOUNDARY_ESCALATION);

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		MimeMessage[] mails = smtp.getReceivedMessages();
		assertThat(mails).extracting(EscalationEmailTest::to)
			.containsExactlyInAnyOrder("dave@countersign.invalid", "grace@countersign.invalid",
					"secops-oncall@countersign.invalid");
		for (MimeMessage mail : mails) {
			assertThat(mail.getSubject()).contains("Approve credential.rotate of " + rotation.credentialId);
			assertThat((String) mail.getContent()).contains(rotation.responseId)
				.contains("https://countersign.example/camunda/app/tasklist/default/#/?task=" + taskId);
		}
	}

	@Test
	void shouldEmailEveryCandidateGroupMemberWhenTheGateCreatesAnApprovalTask() throws Exception {
		ResponseScenario rotation = new ResponseScenario(this.processEngine, this.inventory, this.responses,
				ResponseScenario.Options.secretRotation());
		rotation.requestedBy("scanner");
		String stageJob = this.processEngine.getManagementService()
			.createJobQuery()
			.processInstanceId(rotation.processInstance().getId())
			.singleResult()
			.getId();

		this.processEngine.getManagementService().executeJob(stageJob);

		assertThat(this.notifications.awaitQueued(WAIT)).isTrue();
		String taskId = rotation.approvalTask().getId();
		MimeMessage[] mails = smtp.getReceivedMessages();
		// bob and paul are the demo platform owners; extra recipients get escalations only.
		assertThat(mails).extracting(EscalationEmailTest::to)
			.containsExactlyInAnyOrder("bob@countersign.invalid", "paul@countersign.invalid");
		for (MimeMessage mail : mails) {
			assertThat(mail.getSubject()).startsWith("[Countersign] Approval needed: ")
				.contains(rotation.credentialId);
			assertThat((String) mail.getContent()).contains("Deadline: expires in ")
				.contains("https://countersign.example/camunda/app/tasklist/default/#/?task=" + taskId);
		}
	}

	private void member(String userId, String email) {
		if (this.identityService.createUserQuery().userId(userId).count() == 0) {
			User user = this.identityService.newUser(userId);
			user.setEmail(email);
			user.setPassword(UUID.randomUUID().toString());
			this.identityService.saveUser(user);
			this.identityService.createMembership(userId, Groups.SECURITY_LEADS);
		}
	}

	private static Escalation escalation() {
		String responseId = UUID.randomUUID().toString();
		return new Escalation(responseId, UUID.randomUUID().toString(), "Approve secret rotation",
				"Deploy key leaked in CI logs", "svc-payments", "credential.rotate", "sha256:" + responseId,
				Groups.SECURITY_LEADS, 1, Instant.parse("2026-11-21T16:30:00Z"));
	}

	private static String to(MimeMessage mail) {
		try {
			Address[] to = mail.getRecipients(Message.RecipientType.TO);
			assertThat(to).hasSize(1);
			return to[0].toString();
		}
		catch (MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Runs before the e-mail channel; told to, it fails the way a broken channel would. */
	static class RecordingNotifier implements EscalationNotifier {

		final List<String> received = new CopyOnWriteArrayList<>();

		volatile boolean failing;

		@Override
		public void escalated(Escalation escalation, String taskUrl) {
			if (this.failing) {
				throw new IllegalStateException("chat webhook answered 500");
			}
			this.received.add(escalation.responseId());
		}

	}

	@TestConfiguration
	static class RecordingNotifierConfiguration {

		@Bean
		@Order(0)
		RecordingNotifier recordingNotifier() {
			return new RecordingNotifier();
		}

	}

}
