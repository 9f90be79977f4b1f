package io.countersign.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Agents long-polling for a decision. A waiter is a {@link DeferredResult}, not a thread: the request's thread goes
 * back to the pool while the agent waits, so a thousand waiting agents cost a thousand small objects.
 *
 * <p>A change on this node answers its waiters right after it commits. A change on another node is seen by
 * {@link #sweep()}, which reads the waited-for statuses once a second in one query; and a waiter whose time runs out
 * is answered with what is stored then, so no change is ever missed, at worst seen a second late.
 *
 * <p>When the application shuts down, every waiter is answered at once with what is stored, so that graceful shutdown
 * does not wait out their time and agents learn to ask again (another node, or this one once it is back) instead of
 * seeing their connection cut.
 */
@Component
class AgentActionWaiters {

	/** Upper bound of {@code waitSeconds}. */
	static final int MAX_WAIT_SECONDS = 60;

	/** How many waiting actions one sweep query asks about. */
	static final int SWEEP_BATCH = 500;

	private static final Logger log = LoggerFactory.getLogger(AgentActionWaiters.class);

	record Status(String id, AgentActionStatus status) {
	}

	private record Waiter(DeferredResult<Object> result, Supplier<Object> answer) {
	}

	private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();

	private final ObjectProvider<AgentActionStore> store;

	private volatile boolean closing;

	AgentActionWaiters(ObjectProvider<AgentActionStore> store) {
		this.store = store;
	}

	/**
	 * A result that {@code answer} completes when the action leaves PENDING or {@code wait} runs out, whichever is
	 * first. {@code answer} reads the current state; it runs on whichever thread completes the wait.
	 */
	DeferredResult<Object> await(String id, Duration wait, Supplier<Object> answer,
			Supplier<AgentActionStatus> status) {
		DeferredResult<Object> result = new DeferredResult<>(wait.toMillis());
		Waiter waiter = new Waiter(result, answer);
		result.onTimeout(() -> complete(id, waiter));
		result.onError(error -> remove(id, waiter));
		result.onCompletion(() -> remove(id, waiter));
		this.waiting.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet()).add(waiter);
		// The change may have committed, or shutdown begun, between the caller's read and the registration above.
		if (this.closing || status.get() != AgentActionStatus.PENDING) {
			complete(id, waiter);
		}
		return result;
	}

	int waiting() {
		return this.waiting.values().stream().mapToInt(Set::size).sum();
	}

	/** Answers the action's waiters once the current transaction commits, or now when there is none. */
	void changedAfterCommit(String id) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					changed(id);
				}
			});
		}
		else {
			changed(id);
		}
	}

	void changed(String id) {
		Set<Waiter> waiters = this.waiting.get(id);
		if (waiters != null) {
			List.copyOf(waiters).forEach(waiter -> complete(id, waiter));
		}
	}

	/**
	 * Published when closing begins, before the web server's graceful shutdown waits for requests in progress: a
	 * waiter answered now is not one it waits for. The database is still there to read the current state from.
	 */
	@EventListener(ContextClosedEvent.class)
	void releaseAll() {
		this.closing = true;
		int released = waiting();
		if (released > 0) {
			log.info("Shutting down: answering {} waiting agent(s) with the current state of their actions", released);
			List.copyOf(this.waiting.keySet()).forEach(this::changed);
		}
	}

	@Scheduled(fixedDelayString = "${countersign.agent-actions.sweep-interval:PT1S}")
	void sweep() {
		if (this.waiting.isEmpty()) {
			return;
		}
		List<String> ids = new ArrayList<>(this.waiting.keySet());
		for (int from = 0; from < ids.size(); from += SWEEP_BATCH) {
			List<String> batch = ids.subList(from, Math.min(ids.size(), from + SWEEP_BATCH));
			try {
				this.store.getObject()
					.statuses(batch)
					.stream()
					.filter(status -> status.status() != AgentActionStatus.PENDING)
					.forEach(status -> changed(status.id()));
			}
			catch (RuntimeException ex) {
				// Waiters still get their answer when their time runs out.
				log.warn("Could not check waited-for agent actions: {}", ex.toString());
			}
		}
	}

	private void complete(String id, Waiter waiter) {
		// On timeout Spring runs our callback before it marks the result expired, so the answer still lands.
		if (waiter.result().isSetOrExpired()) {
			remove(id, waiter);
			return;
		}
		try {
			waiter.result().setResult(waiter.answer().get());
		}
		catch (RuntimeException ex) {
			waiter.result().setErrorResult(ex);
		}
		remove(id, waiter);
	}

	private void remove(String id, Waiter waiter) {
		Set<Waiter> waiters = this.waiting.get(id);
		if (waiters != null && waiters.remove(waiter) && waiters.isEmpty()) {
			this.waiting.remove(id, waiters);
		}
	}

}
