package io.countersign.connector.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code countersign.connectors.webhook.*}. Checked when the application starts, so that a mistyped URL or a weak
 * secret stops the start instead of failing the first approved action, when an incident is already under way.
 *
 * @param secret the HMAC-SHA256 key of {@code X-Countersign-Signature}, shared with every receiver; at least 32
 * characters once any endpoint is configured
 * @param connectTimeout the longest wait for a connection to a receiver
 * @param readTimeout the longest wait for a receiver's answer once connected
 * @param endpoints action type to the absolute http(s) URL its calls are POSTed to. Action types contain dots, so
 * in YAML a key is written in brackets and quoted: {@code "[credential.suspend]": https://...}
 */
@ConfigurationProperties("countersign.connectors.webhook")
record WebhookProperties(@DefaultValue("") String secret, @DefaultValue("PT5S") Duration connectTimeout,
		@DefaultValue("PT10S") Duration readTimeout, @DefaultValue Map<String, URI> endpoints) {

	static final String PREFIX = "countersign.connectors.webhook";

	static final int MIN_SECRET_LENGTH = 32;

	/** How error messages name the secret: by setting and by environment variable, never by value. */
	static final String SECRET_SETTING = PREFIX + ".secret (COUNTERSIGN_WEBHOOK_SECRET)";

	WebhookProperties {
		secret = (secret == null) ? "" : secret;
		requirePositive("connect-timeout", connectTimeout);
		requirePositive("read-timeout", readTimeout);
		endpoints = (endpoints == null) ? Map.of() : Map.copyOf(endpoints);
		endpoints.forEach(WebhookProperties::requireHttpUrl);
		if (!endpoints.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
			throw new IllegalArgumentException(SECRET_SETTING + " has " + secret.length() + " characters; with "
					+ PREFIX + ".endpoints configured it needs at least " + MIN_SECRET_LENGTH);
		}
	}

	@Override
	public String toString() {
		// Records print every component; the secret must never reach a log or an error page.
		return "WebhookProperties[secret=" + (this.secret.isEmpty() ? "(empty)" : "(set)") + ", connectTimeout="
				+ this.connectTimeout + ", readTimeout=" + this.readTimeout + ", endpoints=" + this.endpoints + "]";
	}

	private static void requireHttpUrl(String type, URI url) {
		String setting = PREFIX + ".endpoints[" + type + "]";
		if (url == null) {
			throw new IllegalArgumentException(setting + " has no URL");
		}
		String scheme = (url.getScheme() != null) ? url.getScheme().toLowerCase(Locale.ROOT) : null;
		// A relative or opaque URI has no host to call; any other scheme (file:, ftp:) is not a webhook.
		if (!url.isAbsolute() || url.isOpaque() || url.getHost() == null
				|| !("http".equals(scheme) || "https".equals(scheme))) {
			throw new IllegalArgumentException(
					setting + " must be an absolute http or https URL with a host, not '" + url + "'");
		}
	}

	private static void requirePositive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(PREFIX + "." + name + " must be a positive duration");
		}
	}

}
