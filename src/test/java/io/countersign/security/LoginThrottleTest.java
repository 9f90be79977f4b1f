package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

	private final MovableClock clock = new MovableClock();

	private LoginThrottle throttle(int maxFailures, int maxTracked) {
		return new LoginThrottle(new LoginThrottleProperties(maxFailures, Duration.ofMinutes(5), maxTracked, List.of()),
				this.clock);
	}

	@Test
	void shouldBlockAnAddressAfterItsFailuresUntilTheWindowEnds() {
		LoginThrottle throttle = throttle(3, 100);
		for (int i = 0; i < 3; i++) {
			assertThat(throttle.blockedFor("198.51.100.1")).isEmpty();
			throttle.failed("198.51.100.1");
		}
		this.clock.advance(Duration.ofMinutes(1));

		assertThat(throttle.blockedFor("198.51.100.1")).contains(Duration.ofMinutes(4));
		assertThat(throttle.blockedFor("198.51.100.2")).isEmpty();
		this.clock.advance(Duration.ofMinutes(4));
		assertThat(throttle.blockedFor("198.51.100.1")).isEmpty();
	}

	@Test
	void shouldKeepMemoryBoundedAndThrottleSprayedAddressesTogether() {
		LoginThrottle throttle = throttle(2, 10);
		for (int i = 0; i < 1000; i++) {
			throttle.failed("198.51.100." + i);
		}

		assertThat(throttle.tracked()).isLessThanOrEqualTo(11);
		assertThat(throttle.blockedFor("203.0.113.9")).as("an untracked address is judged by the shared bucket")
			.isPresent();
		assertThat(throttle.blockedFor("198.51.100.0")).as("a tracked address by its own window").isEmpty();
		this.clock.advance(Duration.ofMinutes(5));
		assertThat(throttle.blockedFor("203.0.113.9")).isEmpty();
		throttle.failed("203.0.113.9");
		assertThat(throttle.tracked()).isEqualTo(1);
	}

	@Test
	void shouldRefuseLimitsThatThrottleNothing() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoginThrottleProperties(0, Duration.ofMinutes(1), 10, List.of()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoginThrottleProperties(1, Duration.ZERO, 10, List.of()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoginThrottleProperties(1, Duration.ofMinutes(1), 0, List.of()));
	}

	private static final class MovableClock extends Clock {

		private Instant now = Instant.parse("2026-11-30T12:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
