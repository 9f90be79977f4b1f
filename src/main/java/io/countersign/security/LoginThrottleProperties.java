package io.countersign.security;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code countersign.login-throttle}: how many failed logins one source address may make in a window before every
 * login from it is answered 429 until the window ends, and how many addresses are tracked at most (memory stays
 * bounded whatever an attacker sends). {@code trustedProxies} lists the literal addresses of reverse proxies whose
 * {@code X-Forwarded-For} names the client; from anyone else that header is ignored, or a client could pick its own key.
 */
@ConfigurationProperties("countersign.login-throttle")
record LoginThrottleProperties(@DefaultValue("10") int maxFailures, @DefaultValue("PT5M") Duration window,
		@DefaultValue("10000") int maxTrackedAddresses, List<String> trustedProxies) {

	LoginThrottleProperties {
		if (maxFailures < 1) {
			throw new IllegalArgumentException("countersign.login-throttle.max-failures must be at least 1");
		}
		if (window == null || window.isNegative() || window.isZero()) {
			throw new IllegalArgumentException("countersign.login-throttle.window must be a positive duration");
		}
		if (maxTrackedAddresses < 1) {
			throw new IllegalArgumentException("countersign.login-throttle.max-tracked-addresses must be at least 1");
		}
		trustedProxies = trustedProxies == null ? List.of()
				: trustedProxies.stream().map(String::strip).filter(proxy -> !proxy.isEmpty()).toList();
	}

	Set<String> trustedProxySet() {
		return Set.copyOf(this.trustedProxies);
	}

}
