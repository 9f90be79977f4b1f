package io.countersign.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Counts failed logins per source address in fixed windows. Camunda's own throttle counts per account, so anyone who
 * knows a user id could lock that user out; this one slows down the guesser and leaves the account alone.
 *
 * <p>Memory is bounded: at most {@code maxTrackedAddresses} addresses are tracked. Once that many have failed within
 * their windows, further addresses share one bucket, so spraying from many addresses neither grows the map nor
 * escapes the limit (fail closed: they are throttled together).
 */
@Component
class LoginThrottle {

	/** The bucket of addresses that found the table full. Not a valid address, so no client can be it. */
	static final String OVERFLOW = "*overflow*";

	private final Clock clock;

	private final int maxFailures;

	private final Duration window;

	private final int maxTrackedAddresses;

	private final Map<String, Window> windows = new ConcurrentHashMap<>();

	@Autowired
	LoginThrottle(LoginThrottleProperties properties) {
		this(properties, Clock.systemUTC());
	}

	LoginThrottle(LoginThrottleProperties properties, Clock clock) {
		this.clock = clock;
		this.maxFailures = properties.maxFailures();
		this.window = properties.window();
		this.maxTrackedAddresses = properties.maxTrackedAddresses();
	}

	private record Window(Instant start, int failures) {
	}

	/**
	 * How long logins from {@code address} are still refused, if they are. An address without a window of its own is
	 * judged by the overflow bucket: while the table is full, it may be one of the sprayer's.
	 */
	Optional<Duration> blockedFor(String address) {
		Instant now = this.clock.instant();
		Window own = this.windows.get(address);
		Window judged = own != null ? own : this.windows.get(OVERFLOW);
		if (judged == null || judged.failures() < this.maxFailures || ended(judged, now)) {
			return Optional.empty();
		}
		return Optional.of(Duration.between(now, judged.start().plus(this.window)));
	}

	/** Records one failed login from {@code address}. */
	void failed(String address) {
		Instant now = this.clock.instant();
		String key = address;
		if (!this.windows.containsKey(address) && this.windows.size() >= this.maxTrackedAddresses) {
			forgetEnded(now);
			if (this.windows.size() >= this.maxTrackedAddresses) {
				key = OVERFLOW;
			}
		}
		this.windows.compute(key, (k, current) -> current == null || ended(current, now) ? new Window(now, 1)
				: new Window(current.start(), current.failures() + 1));
	}

	/** Addresses tracked right now, the overflow bucket included; for tests and metrics. */
	int tracked() {
		return this.windows.size();
	}

	private void forgetEnded(Instant now) {
		this.windows.entrySet().removeIf(entry -> ended(entry.getValue(), now));
	}

	private boolean ended(Window current, Instant now) {
		return !now.isBefore(current.start().plus(this.window));
	}

}
