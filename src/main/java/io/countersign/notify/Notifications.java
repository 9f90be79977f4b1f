package io.countersign.notify;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.gate.ApprovalCard;
import io.countersign.gate.ApprovalCardSource;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import io.micrometer.core.instrument.MeterRegistry;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Tells people about approvals that need them and requesters about outcomes, once the transaction that created the
 * task, escalated it or ended the response has committed.
 *
 * <p>The gate and the agent review call {@link #taskCreated} and {@link #escalated} from listeners and delegates,
 * inside the engine's transaction; {@link ResponseOutcomeNotifier} reports ended responses the same way. Nothing
 * happens before the commit: a job that rolls back is retried by the job executor, and each retry would otherwise
 * notify again about a task that never existed. After the commit, a composing thread builds each message from what
 * is stored (the task's {@link ApprovalCard}, the response record) and hands it to {@link Deliveries}, which sends
 * and retries it on a thread of its own. No notification ever holds a job thread or a connection, or fails a process.
 */
@Service
public class Notifications implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(Notifications.class);

	/** Composing is a few queries; a backlog this long means the database is stuck, and then memory matters more. */
	private static final int QUEUE_CAPACITY = 1000;

	/**
	 * How long shutdown waits for queued notifications, composing and sending together: the whole process stops within
	 * 10 s of SIGTERM, so what is still queued after this is dropped (and logged), not waited for.
	 */
	private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(4);

	private final List<EscalationNotifier> notifiers;

	private final PublicUrl publicUrl;

	private final ObjectProvider<ApprovalCardSource> cardSources;

	private final ObjectProvider<EmailNotifier> email;

	private final ObjectProvider<TaskService> taskService;

	private final ObjectProvider<Responses> responses;

	private final NotifyProperties properties;

	private final ObjectMapper objectMapper;

	private final Clock clock;

	private final Webhooks webhooks;

	private final Deliveries deliveries;

	/** One thread: notifications are composed in the order they committed, and it is enough for how rare they are. */
	private final ThreadPoolExecutor executor;

	Notifications(List<EscalationNotifier> notifiers, PublicUrl publicUrl, ObjectProvider<ApprovalCardSource> cardSources,
			ObjectProvider<EmailNotifier> email, ObjectProvider<TaskService> taskService,
			ObjectProvider<Responses> responses, NotifyProperties properties, ObjectMapper objectMapper, Clock clock,
			MeterRegistry meters) {
		this.notifiers = List.copyOf(notifiers);
		this.publicUrl = publicUrl;
		this.cardSources = cardSources;
		this.email = email;
		this.taskService = taskService;
		this.responses = responses;
		this.properties = properties;
		this.objectMapper = objectMapper;
		this.clock = clock;
		this.webhooks = new Webhooks(properties.delivery(), objectMapper);
		this.deliveries = new Deliveries(properties.delivery(), meters);
		CustomizableThreadFactory threads = new CustomizableThreadFactory("countersign-notify-");
		// Shutdown waits for the queue on its own (see destroy); a stuck SMTP server must not keep the JVM alive.
		threads.setDaemon(true);
		this.executor = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS,
				new ArrayBlockingQueue<>(QUEUE_CAPACITY), threads);
	}

	/**
	 * Notifies about the escalation after the current transaction commits, or now if there is none: every
	 * {@link EscalationNotifier}, and the escalation group's chat channels. Never throws: a notification problem must
	 * not roll back the escalation.
	 */
	public void escalated(Escalation escalation) {
		try {
			String taskUrl = this.publicUrl.task(escalation.taskId());
			afterCommit("Escalation of response " + escalation.responseId() + " (task " + escalation.taskId() + ")",
					() -> {
						notifyAll(escalation, taskUrl);
						// E-mail about the escalation is the EmailNotifier's; here only the group's chat channels.
						if (this.properties.slack().webhook(escalation.escalationGroup()).isPresent()
								|| this.properties.teams().webhook(escalation.escalationGroup()).isPresent()) {
							announce(escalation.taskId(), ApprovalNotice.ESCALATED, escalation.escalationGroup());
						}
					});
		}
		catch (RuntimeException ex) {
			log.warn("Escalation of response {} (task {}) is not notified", escalation.responseId(),
					escalation.taskId(), ex);
		}
	}

	/**
	 * Tells the candidate groups of a new approval task about it (chat webhooks, members' e-mail) after the current
	 * transaction commits, or now if there is none. Never throws.
	 */
	public void taskCreated(String taskId) {
		if (!announcing()) {
			return;
		}
		try {
			afterCommit("Task " + taskId, () -> announce(taskId, ApprovalNotice.NEEDED, null));
		}
		catch (RuntimeException ex) {
			log.warn("Task {} is not notified", taskId, ex);
		}
	}

	/** Tells the requesters of an ended response how it ended, after the current transaction commits. Never throws. */
	void responseEnded(String responseId, ResponseStatus status, String why) {
		if (!announcing()) {
			return;
		}
		try {
			afterCommit("Outcome of response " + responseId, () -> announceOutcome(responseId, status, why));
		}
		catch (RuntimeException ex) {
			log.warn("The outcome of response {} is not notified", responseId, ex);
		}
	}

	/**
	 * Waits until every notification queued before this call has been composed and sent, retried or given up. Tests
	 * use it to assert on the outcome, including that nothing was sent.
	 */
	boolean awaitQueued(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			this.executor.submit(() -> {
			}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException | RejectedExecutionException ex) {
			return false;
		}
		return this.deliveries.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
	}

	@Override
	public void destroy() throws InterruptedException {
		long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
		this.executor.shutdown();
		if (!this.executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
			int dropped = this.executor.shutdownNow().size();
			log.warn("Shut down with {} notification(s) not composed", dropped);
		}
		this.deliveries.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
	}

	/** Whether any channel besides the log is on; without one, new tasks and outcomes cost nothing. */
	private boolean announcing() {
		return this.email.getIfAvailable() != null || !this.properties.slack().isEmpty()
				|| !this.properties.teams().isEmpty();
	}

	private void afterCommit(String what, Runnable compose) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					dispatch(what, compose);
				}
			});
		}
		else {
			dispatch(what, compose);
		}
	}

	// Runs in afterCommit, whose exceptions would reach the code that committed: it must not throw either.
	private void dispatch(String what, Runnable compose) {
		try {
			this.executor.execute(() -> {
				try {
					compose.run();
				}
				catch (RuntimeException ex) {
					log.warn("{} is not notified: composing the message failed", what, ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			log.warn("{} is not notified: the notification queue is full or shut down", what);
		}
	}

	private void notifyAll(Escalation escalation, String taskUrl) {
		for (EscalationNotifier notifier : this.notifiers) {
			try {
				notifier.escalated(escalation, taskUrl);
			}
			catch (Exception ex) {
				log.warn("{} failed to notify the escalation of response {} (task {})",
						ClassUtils.getUserClass(notifier).getSimpleName(), escalation.responseId(), escalation.taskId(),
						ex);
			}
		}
	}

	/**
	 * @param onlyGroup the group to tell (an escalation group), or null for every candidate group
	 */
	private void announce(String taskId, String headline, String onlyGroup) {
		TaskService tasks = this.taskService.getObject();
		if (tasks.createTaskQuery().taskId(taskId).count() == 0) {
			log.debug("Task {} was decided or removed before anyone was told; no notification", taskId);
			return;
		}
		Optional<ApprovalCard> found = card(taskId);
		if (found.isEmpty()) {
			log.debug("Task {} has no approval card; no notification", taskId);
			return;
		}
		ApprovalCard card = found.get();
		List<String> groups = onlyGroup != null ? List.of(onlyGroup) : card.candidateGroups();
		ApprovalNotice notice = ApprovalNotice.of(headline, card, this.publicUrl.task(taskId), this.clock);
		String about = "task " + taskId;
		for (String group : groups) {
			chat(Deliveries.SLACK, this.properties.slack().webhook(group), "group " + group, about,
					SlackMessages.approval(this.objectMapper, notice));
			chat(Deliveries.TEAMS, this.properties.teams().webhook(group), "group " + group, about,
					TeamsMessages.approval(this.objectMapper, notice));
		}
		EmailNotifier mail = this.email.getIfAvailable();
		if (mail != null && onlyGroup == null) {
			String subject = NoticeMail.subject(notice);
			String body = NoticeMail.body(notice);
			for (String address : mail.memberAddresses(groups, about)) {
				this.deliveries.submit(Deliveries.EMAIL, address, about, () -> mail.send(address, subject, body));
			}
		}
	}

	private void announceOutcome(String responseId, ResponseStatus status, String why) {
		Responses stored = this.responses.getObject();
		Optional<ResponseRecord> found = stored.record(responseId);
		if (found.isEmpty()) {
			return;
		}
		ResponseRecord response = found.get();
		String target = response.credential() == null ? response.identity()
				: response.credential() + " of " + response.identity();
		OutcomeNotice notice = new OutcomeNotice(responseId,
				response.playbook() + " of " + target + (response.summary() == null ? "" : ": " + response.summary()),
				status, why, this.publicUrl.response(responseId));
		String about = "response " + responseId;
		Set<String> requesters = stored.requesters(responseId);
		EmailNotifier mail = this.email.getIfAvailable();
		for (String requester : requesters) {
			chat(Deliveries.SLACK, this.properties.slack().requester(requester), "requester " + requester, about,
					SlackMessages.outcome(this.objectMapper, notice));
			chat(Deliveries.TEAMS, this.properties.teams().requester(requester), "requester " + requester, about,
					TeamsMessages.outcome(this.objectMapper, notice));
			if (mail != null) {
				String subject = NoticeMail.subject(notice);
				String body = NoticeMail.body(notice);
				for (String address : mail.userAddress(requester, about)) {
					this.deliveries.submit(Deliveries.EMAIL, address, about, () -> mail.send(address, subject, body));
				}
			}
		}
	}

	private void chat(String channel, Optional<URI> webhook, String addressee, String about, JsonNode payload) {
		webhook.ifPresent(uri -> this.deliveries.submit(channel, addressee, about, () -> this.webhooks.post(uri, payload)));
	}

	/**
	 * The card from the feature that created the task; for a task none of them knows (a feature whose source is not
	 * there yet), one from the task itself, so that nobody misses an approval for want of a nicer text.
	 */
	private Optional<ApprovalCard> card(String taskId) {
		for (ApprovalCardSource source : this.cardSources.orderedStream().toList()) {
			Optional<ApprovalCard> card = source.card(taskId);
			if (card.isPresent()) {
				return card;
			}
		}
		TaskService tasks = this.taskService.getObject();
		Task task = tasks.createTaskQuery().taskId(taskId).singleResult();
		if (task == null) {
			return Optional.empty();
		}
		List<String> groups = tasks.getIdentityLinksForTask(taskId)
			.stream()
			.filter(link -> IdentityLinkType.CANDIDATE.equals(link.getType()))
			.map(IdentityLink::getGroupId)
			.filter(group -> group != null)
			.sorted()
			.toList();
		return Optional.of(new ApprovalCard(taskId, task.getProcessInstanceId(), null, task.getName(), "", groups, null,
				instant(task.getDueDate()), instant(task.getFollowUpDate()), task.getPriority()));
	}

	private static Instant instant(java.util.Date date) {
		return date == null ? null : date.toInstant();
	}

}
