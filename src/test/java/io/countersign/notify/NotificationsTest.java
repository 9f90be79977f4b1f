package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.gate.ApprovalCardSource;
import io.countersign.response.Responses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

@ExtendWith(OutputCaptureExtension.class)
class NotificationsTest {

	private static final String TASKLIST = "http://localhost:8080/camunda/app/tasklist/default/";

	private final List<String> delivered = new CopyOnWriteArrayList<>();

	private final TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());

	private Notifications notifications;

	@AfterEach
	void shutDown() throws InterruptedException {
		if (this.notifications != null) {
			this.notifications.destroy();
		}
	}

	@Test
	void shouldNotifyOnlyAfterTheTransactionCommits() {
		this.notifications = notifications(recording("first"), recording("second"));

		this.transaction.executeWithoutResult(status -> {
			this.notifications.escalated(escalation("r-commit"));
			assertThat(awaitQueued()).isTrue();
			assertThat(this.delivered).isEmpty();
		});

		assertThat(awaitQueued()).isTrue();
		assertThat(this.delivered).containsExactly("first r-commit " + TASKLIST + "#/?task=task-r-commit",
				"second r-commit " + TASKLIST + "#/?task=task-r-commit");
	}

	@Test
	void shouldNotifyNobodyWhenTheTransactionRollsBack() {
		this.notifications = notifications(recording("first"));

		this.transaction.executeWithoutResult(status -> {
			this.notifications.escalated(escalation("r-rollback"));
			status.setRollbackOnly();
		});

		assertThat(awaitQueued()).isTrue();
		assertThat(this.delivered).isEmpty();
	}

	@Test
	void shouldNotifyRightAwayWithoutTransaction() {
		this.notifications = notifications(recording("only"));

		this.notifications.escalated(escalation("r-now"));

		assertThat(awaitQueued()).isTrue();
		assertThat(this.delivered).containsExactly("only r-now " + TASKLIST + "#/?task=task-r-now");
	}

	@Test
	void shouldGoOnWithTheNextNotifierWhenOneFails(CapturedOutput output) {
		EscalationNotifier failing = (escalation, taskUrl) -> {
			throw new IllegalStateException("chat webhook answered 500");
		};
		this.notifications = notifications(failing, recording("after"));

		this.transaction.executeWithoutResult(status -> this.notifications.escalated(escalation("r-fail")));

		assertThat(awaitQueued()).isTrue();
		assertThat(this.delivered).containsExactly("after r-fail " + TASKLIST + "#/?task=task-r-fail");
		assertThat(output).contains("WARN")
			.contains("failed to notify the escalation of response r-fail (task task-r-fail)")
			.contains("chat webhook answered 500");
	}

	@Test
	void shouldNeitherThrowNorNotifyAfterShutdown(CapturedOutput output) throws InterruptedException {
		this.notifications = notifications(recording("late"));
		this.notifications.destroy();

		assertThatCode(() -> this.transaction
			.executeWithoutResult(status -> this.notifications.escalated(escalation("r-late"))))
			.doesNotThrowAnyException();

		assertThat(this.delivered).isEmpty();
		assertThat(output).contains("Escalation of response r-late (task task-r-late) is not notified");
	}

	private Notifications notifications(EscalationNotifier... notifiers) {
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		return new Notifications(List.of(notifiers), new PublicUrl("", TASKLIST, "/camunda", "default", false, 8080, ""),
				beans.getBeanProvider(ApprovalCardSource.class), beans.getBeanProvider(EmailNotifier.class),
				beans.getBeanProvider(TaskService.class), beans.getBeanProvider(Responses.class),
				NotifyPropertiesTest.bind(Map.of()), new ObjectMapper(), Clock.systemUTC(), new SimpleMeterRegistry());
	}

	private EscalationNotifier recording(String name) {
		return (escalation, taskUrl) -> this.delivered.add(name + " " + escalation.responseId() + " " + taskUrl);
	}

	private boolean awaitQueued() {
		return this.notifications.awaitQueued(Duration.ofSeconds(5));
	}

	private static Escalation escalation(String responseId) {
		return new Escalation(responseId, "task-" + responseId, "Approve secret rotation", "Leaked key", "svc-payments",
				"credential.rotate", "sha256:abc", "security-leads", 1, null);
	}

	/** Real transaction synchronization (afterCommit, rollback) without a resource behind it. */
	private static final class NoResourceTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
