package io.countersign.notify;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code countersign.notify.*}: the channels that tell people about approvals that need them and requesters about
 * outcomes. The log channel is always on; the SMTP server itself is Spring Boot's {@code spring.mail.*}.
 */
@ConfigurationProperties("countersign.notify")
record NotifyProperties(@DefaultValue Email email, @DefaultValue Chat slack, @DefaultValue Chat teams,
		@DefaultValue Delivery delivery) {

	/**
	 * @param enabled whether new approval tasks and escalations are e-mailed to the members of the candidate group,
	 * and outcomes to requesters who have an address
	 * @param from the sender address
	 * @param extraRecipients addresses that get every escalation on top of the group's members (a team list, say);
	 * comma-separated in configuration
	 */
	record Email(boolean enabled, @DefaultValue("countersign@localhost") String from,
			@DefaultValue List<String> extraRecipients) {

		Email {
			// An environment variable like "a@x, ,b@y" or "" binds to blank entries; they are no recipients.
			extraRecipients = extraRecipients.stream()
				.map(String::strip)
				.filter(address -> !address.isEmpty())
				.toList();
		}

	}

	/**
	 * One chat system's incoming webhooks. A webhook URL carries its own credential, so it is validated here and
	 * never printed, not even in a startup error.
	 * @param webhooks Camunda group id to the webhook of the channel where that group works: new approval tasks for
	 * the group go there
	 * @param requesters requester (the principal that started a response) to the webhook of its channel: outcomes go
	 * there
	 */
	record Chat(@DefaultValue Map<String, String> webhooks, @DefaultValue Map<String, String> requesters) {

		Chat {
			webhooks = Collections.unmodifiableMap(routes("webhooks", webhooks));
			requesters = Collections.unmodifiableMap(routes("requesters", requesters));
		}

		Optional<URI> webhook(String group) {
			return route(this.webhooks, group);
		}

		Optional<URI> requester(String requester) {
			return route(this.requesters, requester);
		}

		boolean isEmpty() {
			return this.webhooks.isEmpty() && this.requesters.isEmpty();
		}

		private static Optional<URI> route(Map<String, String> routes, String name) {
			return name == null ? Optional.empty() : Optional.ofNullable(routes.get(key(name))).map(URI::create);
		}

		/**
		 * Keys are compared without case and punctuation: an environment variable cannot spell
		 * {@code platform-owners} ({@code COUNTERSIGN_NOTIFY_SLACK_WEBHOOKS_PLATFORMOWNERS} binds as
		 * {@code platformowners}, {@code ..._PLATFORM_OWNERS} as {@code platform.owners}), and all of them must reach
		 * the group.
		 */
		static String key(String name) {
			return name.toLowerCase(Locale.ROOT).replaceAll("[^\\p{Alnum}]", "");
		}

		private static Map<String, String> routes(String kind, Map<String, String> configured) {
			Map<String, String> routes = new HashMap<>();
			configured.forEach((name, url) -> {
				if (url == null || url.isBlank()) {
					// An empty variable switches a route off rather than failing the start.
					return;
				}
				String key = key(name);
				if (key.isEmpty()) {
					throw new IllegalStateException(kind + " has an entry without a name");
				}
				URI uri = webhookUri(kind, name, url.strip());
				String earlier = routes.put(key, uri.toString());
				if (earlier != null && !earlier.equals(uri.toString())) {
					throw new IllegalStateException(kind + "." + name + " is configured twice with different URLs"
							+ " (names are compared without case and punctuation)");
				}
			});
			return routes;
		}

		private static URI webhookUri(String kind, String name, String url) {
			URI uri;
			try {
				uri = URI.create(url);
			}
			catch (IllegalArgumentException ex) {
				uri = null;
			}
			if (uri == null || !uri.isAbsolute() || uri.getHost() == null
					|| !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
				// Not the value: a webhook URL is a credential.
				throw new IllegalStateException(kind + "." + name + " is not an absolute http(s) URL");
			}
			return uri;
		}

	}

	/**
	 * How chat and e-mail notifications are delivered: after commit, on a notification thread, retried with
	 * exponential backoff, bounded in attempts and in queued messages.
	 * @param maxAttempts attempts per message, the first included
	 * @param initialBackoff wait before the second attempt; doubled for each further one
	 * @param maxBackoff longest wait between two attempts
	 * @param maxQueued messages waiting (to be sent or retried) at most; beyond it new ones are dropped and counted
	 * @param connectTimeout webhook connect timeout
	 * @param readTimeout webhook answer timeout
	 */
	record Delivery(@DefaultValue("5") int maxAttempts, @DefaultValue("PT2S") Duration initialBackoff,
			@DefaultValue("PT2M") Duration maxBackoff, @DefaultValue("1000") int maxQueued,
			@DefaultValue("PT5S") Duration connectTimeout, @DefaultValue("PT10S") Duration readTimeout) {

		Delivery {
			if (maxAttempts < 1 || maxQueued < 1) {
				throw new IllegalStateException("countersign.notify.delivery: max-attempts and max-queued must be at"
						+ " least 1");
			}
			if (initialBackoff.isNegative() || maxBackoff.isNegative() || connectTimeout.isNegative()
					|| connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()) {
				throw new IllegalStateException("countersign.notify.delivery: backoffs must not be negative and"
						+ " timeouts must be positive");
			}
		}

		/** The wait before attempt {@code next} (2 for the first retry). */
		Duration backoff(int next) {
			Duration wait = this.initialBackoff;
			for (int attempt = 2; attempt < next && wait.compareTo(this.maxBackoff) < 0; attempt++) {
				wait = wait.multipliedBy(2);
			}
			return wait.compareTo(this.maxBackoff) > 0 ? this.maxBackoff : wait;
		}

	}

}
