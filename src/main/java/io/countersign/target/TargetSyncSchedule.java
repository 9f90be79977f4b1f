package io.countersign.target;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Syncs each target that sets {@code countersign.targets.<name>.sync-every} (ISO-8601, off by default), starting one
 * period after startup. A failed sync is logged and tried again at the next period; it never stops the others.
 */
@Component
class TargetSyncSchedule {

	private static final Logger log = LoggerFactory.getLogger(TargetSyncSchedule.class);

	private final Targets targets;

	private final TargetSync sync;

	private final TaskScheduler scheduler;

	private final Environment environment;

	TargetSyncSchedule(Targets targets, TargetSync sync, TaskScheduler scheduler, Environment environment) {
		this.targets = targets;
		this.sync = sync;
		this.scheduler = scheduler;
		this.environment = environment;
	}

	@EventListener(ApplicationReadyEvent.class)
	void schedule() {
		for (String name : this.targets.names()) {
			Duration every = this.environment.getProperty("countersign.targets." + name + ".sync-every", Duration.class);
			if (every == null) {
				continue;
			}
			if (every.isNegative() || every.isZero()) {
				throw new IllegalStateException("countersign.targets." + name + ".sync-every must be positive");
			}
			if (!(this.targets.named(name) instanceof TargetDiscovery)) {
				throw new IllegalStateException("countersign.targets." + name + ".sync-every is set, but target '" + name
						+ "' cannot list its identities");
			}
			this.scheduler.scheduleWithFixedDelay(() -> run(name), java.time.Instant.now().plus(every), every);
			log.info("Target {} is synced every {}", name, every);
		}
	}

	private void run(String name) {
		try {
			this.sync.sync(name, null);
		}
		catch (RuntimeException ex) {
			log.warn("Sync of target {} failed, next try in one period: {}", name, ex.getMessage());
		}
	}

}
