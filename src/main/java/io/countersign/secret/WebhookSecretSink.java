package io.countersign.secret;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.CanonicalJson;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Delivers new material to a secret manager or orchestrator: a POST of {@code {"target","credential","secret",
 * "fingerprint"}} signed like the webhook connector ({@code X-Countersign-Timestamp}, {@code X-Countersign-Signature:
 * v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}). Anything but 2xx is a failed delivery.
 */
@Component
@ConditionalOnProperty(name = "countersign.secrets.sink", havingValue = "webhook")
class WebhookSecretSink implements SecretSink {

	static final int MIN_SECRET_LENGTH = 32;

	private final URI url;

	private final byte[] key;

	private final HttpClient http;

	private final Duration timeout;

	private final ObjectMapper objectMapper;

	private final Clock clock;

	WebhookSecretSink(@Value("${countersign.secrets.webhook.url:}") String url,
			@Value("${countersign.secrets.webhook.secret:}") String secret,
			@Value("${countersign.secrets.webhook.timeout:PT10S}") Duration timeout, ObjectMapper objectMapper,
			Clock clock) {
		URI parsed = url.isBlank() ? null : URI.create(url);
		if (parsed == null || !parsed.isAbsolute() || parsed.getHost() == null
				|| !("https".equals(parsed.getScheme()) || "http".equals(parsed.getScheme()))) {
			throw new IllegalStateException("countersign.secrets.webhook.url (COUNTERSIGN_SECRETS_WEBHOOK_URL) must be "
					+ "an absolute http(s) URL with the webhook sink");
		}
		if (secret.length() < MIN_SECRET_LENGTH) {
			throw new IllegalStateException("countersign.secrets.webhook.secret (COUNTERSIGN_SECRETS_WEBHOOK_SECRET) "
					+ "needs at least " + MIN_SECRET_LENGTH + " characters");
		}
		this.url = parsed;
		this.key = secret.getBytes(StandardCharsets.UTF_8);
		this.timeout = timeout;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
		this.objectMapper = objectMapper;
		this.clock = clock;
	}

	@Override
	public void deliver(String target, String credentialId, SecretMaterial material) {
		Map<String, String> payload = new LinkedHashMap<>();
		payload.put("target", target);
		payload.put("credential", credentialId);
		payload.put("secret", material.reveal());
		payload.put("fingerprint", material.fingerprint());
		String body;
		try {
			body = CanonicalJson.write(this.objectMapper.writeValueAsString(payload));
		}
		catch (JsonProcessingException ex) {
			throw new SecretDeliveryException("cannot encode the delivery of " + credentialId, null);
		}
		String timestamp = String.valueOf(this.clock.instant().getEpochSecond());
		HttpRequest request = HttpRequest.newBuilder(this.url)
			.timeout(this.timeout)
			.header("Content-Type", "application/json")
			.header("X-Countersign-Timestamp", timestamp)
			.header("X-Countersign-Signature", "v1=" + sign(timestamp + "." + body))
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build();
		try {
			HttpResponse<Void> response = this.http.send(request, HttpResponse.BodyHandlers.discarding());
			if (response.statusCode() / 100 != 2) {
				throw new SecretDeliveryException("the secret sink at " + this.url.getHost() + " answered "
						+ response.statusCode() + " for " + credentialId, null);
			}
		}
		catch (IOException ex) {
			throw new SecretDeliveryException("the secret sink at " + this.url.getHost() + " is unreachable for "
					+ credentialId + ": " + ex.getClass().getSimpleName(), null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SecretDeliveryException("interrupted while delivering the secret of " + credentialId, null);
		}
	}

	private String sign(String text) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.key, "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is required of every Java platform", ex);
		}
	}

}
