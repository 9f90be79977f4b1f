package io.countersign.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Tells every {@link EscalationNotifier} about an escalated approval, once the escalation has committed.
 *
 * <p>The gate calls {@link #escalated} from a delegate, inside the engine's transaction. Dispatch waits for that
 * transaction's commit: a job that rolls back is retried by the job executor, and each retry would otherwise send
 * again for an escalation that never happened. After the commit the notifiers run one after another on a single
 * notification thread, so a slow or unreachable mail server holds neither the job thread nor its connection.
 */
@Service
public class Notifications implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(Notifications.class);

	/** Escalations are rare; a backlog this long means every channel is stuck, and then memory matters more. */
	private static final int QUEUE_CAPACITY = 1000;

	/** How long shutdown waits for queued notifications; more than one SMTP timeout, less than a pod's grace. */
	private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(15);

	private final List<EscalationNotifier> notifiers;

	private final String tasklistUrl;

	/** One thread: notifications go out in the order they committed, and it is enough for how rare they are. */
	private final ThreadPoolExecutor executor;

	Notifications(List<EscalationNotifier> notifiers, @Value("${countersign.tasklist.base-url}") String tasklistUrl) {
		this.notifiers = List.copyOf(notifiers);
		this.tasklistUrl = tasklistUrl;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("countersign-notify-");
		// Shutdown waits for the queue on its own (see destroy); a stuck SMTP server must not keep the JVM alive.
		threads.setDaemon(true);
		this.executor = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS,
				new ArrayBlockingQueue<>(QUEUE_CAPACITY), threads);
	}

	/**
	 * Notifies about the escalation after the current transaction commits, or now if there is none. Never throws:
	 * a notification problem must not roll back the escalation.
	 */
	public void escalated(Escalation escalation) {
		try {
			String taskUrl = taskUrl(this.tasklistUrl, escalation.taskId());
			if (TransactionSynchronizationManager.isSynchronizationActive()) {
				TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
					@Override
					public void afterCommit() {
						dispatch(escalation, taskUrl);
					}
				});
			}
			else {
				dispatch(escalation, taskUrl);
			}
		}
		catch (RuntimeException ex) {
			log.warn("Escalation of response {} (task {}) is not notified", escalation.responseId(),
					escalation.taskId(), ex);
		}
	}

	/** The Tasklist deep link that opens the given task. */
	static String taskUrl(String tasklistUrl, String taskId) {
		String base = tasklistUrl.strip();
		if (!base.endsWith("/")) {
			base = base + "/";
		}
		return base + "#/?task=" + URLEncoder.encode(taskId, StandardCharsets.UTF_8);
	}

	/**
	 * Waits until every notification queued before this call has been sent (or has failed). Tests use it to assert
	 * on the outcome, including that nothing was sent.
	 */
	boolean awaitQueued(Duration timeout) {
		try {
			this.executor.submit(() -> {
			}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException | RejectedExecutionException ex) {
			return false;
		}
	}

	@Override
	public void destroy() throws InterruptedException {
		this.executor.shutdown();
		if (!this.executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
			int dropped = this.executor.shutdownNow().size();
			log.warn("Shut down with {} escalation notification(s) not sent", dropped);
		}
	}

	// Runs in afterCommit, whose exceptions would reach the code that committed: it must not throw either.
	private void dispatch(Escalation escalation, String taskUrl) {
		try {
			this.executor.execute(() -> notifyAll(escalation, taskUrl));
		}
		catch (RejectedExecutionException ex) {
			log.warn("Escalation of response {} (task {}) is not notified: the notification queue is full or shut down",
					escalation.responseId(), escalation.taskId());
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

}
