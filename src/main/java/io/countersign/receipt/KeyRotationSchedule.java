package io.countersign.receipt;

import java.time.Duration;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Rotates a due key even on a node that issues nothing, so that a rotation does not wait for the next approval, and
 * lets each node pick up a rotation or retirement made elsewhere. Every {@code rotation-check-interval}.
 */
@Component
class KeyRotationSchedule implements SchedulingConfigurer {

	private final ReceiptKeys keys;

	private final Duration interval;

	KeyRotationSchedule(ReceiptKeys keys, ReceiptProperties properties) {
		this.keys = keys;
		this.interval = properties.rotationCheckInterval();
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		registrar.addFixedDelayTask(new FixedDelayTask(this.keys::refresh, this.interval, this.interval));
	}

}
