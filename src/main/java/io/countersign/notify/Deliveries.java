package io.countersign.notify;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Sends chat and e-mail messages on a thread of its own, each retried with exponential backoff up to
 * {@code countersign.notify.delivery.max-attempts}, with at most {@code max-queued} messages waiting. A message that
 * cannot be sent (attempts used up, queue full, shut down) is dropped, counted in
 * {@code countersign.notifications.failed} (tag {@code channel}) and logged as one WARN line that names the channel and
 * the addressee, never the webhook URL: a process never waits for a notification nor fails because of one.
 */
final class Deliveries {

	private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

	static final String FAILED = "countersign.notifications.failed";

	static final String SENT = "countersign.notifications.sent";

	static final String SLACK = "slack";

	static final String TEAMS = "teams";

	static final String EMAIL = "email";

	private static final String[] CHANNELS = { SLACK, TEAMS, EMAIL };

	/** One attempt to send one message; throws when it was not accepted. */
	@FunctionalInterface
	interface Attempt {

		void send() throws Exception;

	}

	private final NotifyProperties.Delivery limits;

	private final MeterRegistry meters;

	/**
	 * One thread: messages go out in the order they were queued and a retry waits without holding it. Its own queue is
	 * unbounded, so the bound is {@link #pending}, which also counts messages waiting for a retry.
	 */
	private final ScheduledThreadPoolExecutor executor;

	private final AtomicInteger pending = new AtomicInteger();

	Deliveries(NotifyProperties.Delivery limits, MeterRegistry meters) {
		this.limits = limits;
		this.meters = meters;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("countersign-notify-send-");
		threads.setDaemon(true);
		this.executor = new ScheduledThreadPoolExecutor(1, threads);
		this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.executor.setRemoveOnCancelPolicy(true);
		// Registered up front, so a dashboard or alert sees 0 rather than no series until the first failure.
		for (String channel : CHANNELS) {
			failures(channel);
		}
	}

	/**
	 * Queues one message. Never throws.
	 * @param channel {@code slack}, {@code teams} or {@code email}: the metric's tag
	 * @param addressee who it is for (a group, a requester, an address), for the log line
	 * @param about what it is about (a task, a response), for the log line
	 */
	void submit(String channel, String addressee, String about, Attempt attempt) {
		if (this.pending.incrementAndGet() > this.limits.maxQueued()) {
			this.pending.decrementAndGet();
			failed(channel, addressee, about, "the notification queue is full (" + this.limits.maxQueued()
					+ " messages, countersign.notify.delivery.max-queued)");
			return;
		}
		schedule(new Job(channel, addressee, about, attempt), Duration.ZERO);
	}

	/** Whether every queued message, retries included, has been sent or given up within {@code timeout}. */
	boolean awaitIdle(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.pending.get() > 0) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

	void shutdown(Duration grace) throws InterruptedException {
		// Messages waiting for a retry are not waited for: a stuck chat server must not hold the shutdown.
		this.executor.shutdown();
		if (!this.executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
			this.executor.shutdownNow();
		}
		int dropped = this.pending.getAndSet(0);
		if (dropped > 0) {
			log.warn("Shut down with {} notification message(s) not sent", dropped);
		}
	}

	private void schedule(Job job, Duration delay) {
		try {
			this.executor.schedule(() -> run(job), delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException ex) {
			this.pending.decrementAndGet();
			failed(job.channel, job.addressee, job.about, "the notification sender is shut down");
		}
	}

	private void run(Job job) {
		job.attempts++;
		try {
			job.attempt.send();
			this.pending.decrementAndGet();
			Counter.builder(SENT).tag("channel", job.channel).register(this.meters).increment();
		}
		catch (Exception ex) {
			String why = PlainText.singleLine(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage(),
					300);
			if (job.attempts < this.limits.maxAttempts()) {
				Duration wait = this.limits.backoff(job.attempts + 1);
				log.debug("{} message to {} about {}: attempt {} failed ({}), retrying in {}", job.channel,
						job.addressee, job.about, job.attempts, why, wait);
				schedule(job, wait);
				return;
			}
			this.pending.decrementAndGet();
			failed(job.channel, job.addressee, job.about, "gave up after " + job.attempts + " attempt(s): " + why);
		}
	}

	private void failed(String channel, String addressee, String about, String why) {
		failures(channel).increment();
		log.warn("Notification not delivered: {} to {} about {}: {}", channel, PlainText.singleLine(addressee, 200),
				PlainText.singleLine(about, 200), why);
	}

	private Counter failures(String channel) {
		return Counter.builder(FAILED)
			.description("Notification messages that were not delivered")
			.tag("channel", channel)
			.register(this.meters);
	}

	private static final class Job {

		final String channel;

		final String addressee;

		final String about;

		final Attempt attempt;

		/** Touched only on the sender thread. */
		int attempts;

		Job(String channel, String addressee, String about, Attempt attempt) {
			this.channel = channel;
			this.addressee = addressee;
			this.about = about;
			this.attempt = attempt;
		}

	}

}
