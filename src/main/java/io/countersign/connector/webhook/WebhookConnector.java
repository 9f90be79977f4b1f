package io.countersign.connector.webhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionConnector;
import io.countersign.action.CanonicalJson;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.receipt.ReceiptVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Carries out an action by POSTing each phase to the URL configured for its type under
 * {@code countersign.connectors.webhook.endpoints}.
 *
 * <p>One request per phase: a canonical JSON body
 * {@code {"action":{...},"fingerprint":...,"idempotencyKey":...,"phase":...,"receipt":...,"responseId":...}}
 * ({@code receipt} absent for {@code stage}) with the headers {@code Idempotency-Key},
 * {@code X-Countersign-Timestamp} (epoch seconds) and {@code X-Countersign-Signature: v1=<hex HMAC-SHA256 of
 * timestamp "." body>}. The timestamp is signed so that a receiver can refuse a captured request replayed minutes
 * later.
 *
 * <p>{@code Idempotency-Key} is the call's key for {@code stage} and {@code apply}, and the key followed by
 * {@code :verify} or {@code :rollback} for those phases (unless the key already ends so): a playbook may hand verify
 * and rollback the key of the apply they refer to, and a receiver that deduplicates by key alone must not take the
 * rollback of an apply for a retry of it.
 *
 * <p>The receipt is checked before anything is sent: spent by {@code apply}, so a refused or replayed receipt
 * reaches no receiver; checked without expiry by {@code verify} and {@code rollback}, which must stay possible
 * after the approval's lifetime. Outcomes: a 2xx answer is success; any other status, a redirect included, is the
 * receiver saying no, a {@link ConnectorException}; no answer at all is a {@link WebhookUnavailableException}, which
 * the engine retries with the same idempotency key and turns into an incident when the retries run out.
 */
@Component
class WebhookConnector implements ActionConnector {

	static final String NAME = "webhook";

	static final String SIGNATURE_HEADER = "X-Countersign-Signature";

	static final String TIMESTAMP_HEADER = "X-Countersign-Timestamp";

	static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

	/** A receiver's answer only ever ends up in an error message; a hostile one must not fill the heap. */
	static final int MAX_RESPONSE_BYTES = 64 * 1024;

	/** Of the receiver's answer, in the message of a refusal: enough to see why, short enough for an incident. */
	static final int MAX_QUOTED_BODY = 500;

	private static final String HMAC = "HmacSHA256";

	private static final Logger log = LoggerFactory.getLogger(WebhookConnector.class);

	private final WebhookProperties properties;

	private final ReceiptVerifier receipts;

	private final Clock clock;

	private final HttpClient http;

	WebhookConnector(WebhookProperties properties, ReceiptVerifier receipts, Clock clock) {
		this.properties = properties;
		this.receipts = receipts;
		this.clock = clock;
		// Never follow a redirect: the signed request would go to a URL nobody configured, and a 3xx is not a yes.
		// HTTP/1.1 because an h2c upgrade attempt on plain http trips up some small receivers.
		this.http = HttpClient.newBuilder()
			.connectTimeout(properties.connectTimeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.version(HttpClient.Version.HTTP_1_1)
			.build();
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public void stage(ConnectorCall call) {
		send(endpoint(call), Phase.STAGE, call);
	}

	@Override
	public void apply(ConnectorCall call) {
		URI url = endpoint(call);
		// Spent in the job's transaction: if the call below fails technically the job rolls back, the receipt is
		// unspent again and the retry can present it.
		this.receipts.verifyAndConsume(call.receipt(), call.responseId(), call.action().fingerprint(), NAME);
		send(url, Phase.APPLY, call);
	}

	@Override
	public void verify(ConnectorCall call) {
		URI url = endpoint(call);
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		send(url, Phase.VERIFY, call);
	}

	@Override
	public void rollback(ConnectorCall call) {
		URI url = endpoint(call);
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		send(url, Phase.ROLLBACK, call);
	}

	private URI endpoint(ConnectorCall call) {
		String type = call.action().type();
		URI url = this.properties.endpoints().get(type);
		if (url == null) {
			throw new ConnectorException("No webhook URL for action type '" + type + "': set "
					+ WebhookProperties.PREFIX + ".endpoints[" + type + "]");
		}
		return url;
	}

	private void send(URI url, Phase phase, ConnectorCall call) {
		String idempotencyKey = phase.idempotencyKey(call.idempotencyKey());
		byte[] body = body(phase, call, idempotencyKey).getBytes(StandardCharsets.UTF_8);
		String timestamp = Long.toString(this.clock.instant().getEpochSecond());
		HttpRequest request = HttpRequest.newBuilder(url)
			.timeout(this.properties.readTimeout())
			.header("Content-Type", "application/json")
			.header(IDEMPOTENCY_KEY_HEADER, idempotencyKey)
			.header(TIMESTAMP_HEADER, timestamp)
			.header(SIGNATURE_HEADER, "v1=" + sign(timestamp, body))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build();
		HttpResponse<String> response = exchange(request, phase, call);
		int status = response.statusCode();
		if (status < 200 || status > 299) {
			throw new ConnectorException("Webhook " + phase.value + " of " + call.action().type() + " on "
					+ call.action().target() + " refused by " + url + ": HTTP " + status + quoted(response.body()));
		}
		log.info("Webhook {} of {} on {} accepted by {} (HTTP {}, idempotency key {})", phase.value,
				call.action().type(), call.action().target(), url, status, idempotencyKey);
	}

	private HttpResponse<String> exchange(HttpRequest request, Phase phase, ConnectorCall call) {
		String what = "Webhook " + phase.value + " of " + call.action().type() + " to " + request.uri();
		CompletableFuture<HttpResponse<String>> future = this.http.sendAsync(request, info -> new CappedBody());
		// The request timeout ends when the headers arrive; this bounds a receiver that then trickles the body.
		Duration limit = this.properties.connectTimeout().plus(this.properties.readTimeout());
		try {
			return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			future.cancel(true);
			Thread.currentThread().interrupt();
			throw new WebhookUnavailableException(what + " was interrupted", ex);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new WebhookUnavailableException(what + " got no complete answer within " + limit, ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null)
					? wrapped.getCause() : ex.getCause();
			if (cause instanceof IOException) {
				throw new WebhookUnavailableException(what + " failed: " + cause, cause);
			}
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new WebhookUnavailableException(what + " failed: " + cause, cause);
		}
	}

	private static String body(Phase phase, ConnectorCall call, String idempotencyKey) {
		ObjectNode body = JsonNodeFactory.instance.objectNode();
		body.put("phase", phase.value);
		body.put("responseId", call.responseId());
		body.put("idempotencyKey", idempotencyKey);
		body.set("action", call.action().toJsonNode());
		body.put("fingerprint", call.action().fingerprint());
		if (phase != Phase.STAGE) {
			body.put("receipt", call.receipt());
		}
		return CanonicalJson.write(body);
	}

	private String sign(String timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance(HMAC);
			mac.init(new SecretKeySpec(this.properties.secret().getBytes(StandardCharsets.UTF_8), HMAC));
			mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
			mac.update((byte) '.');
			return HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			// HmacSHA256 is required of every Java platform, and the properties guarantee a non-empty key.
			throw new IllegalStateException("Cannot sign a webhook with " + HMAC, ex);
		}
	}

	/** The start of the receiver's answer for an error message, on one line. */
	private static String quoted(String body) {
		if (body == null || body.isBlank()) {
			return "";
		}
		String flat = body.strip().replaceAll("\\p{Cntrl}", " ");
		return ": " + ((flat.length() <= MAX_QUOTED_BODY) ? flat : flat.substring(0, MAX_QUOTED_BODY) + "…");
	}

	enum Phase {

		STAGE, APPLY, VERIFY, ROLLBACK;

		final String value = name().toLowerCase(Locale.ROOT);

		String idempotencyKey(String key) {
			if (this == STAGE || this == APPLY) {
				return key;
			}
			String suffix = ":" + this.value;
			return key.endsWith(suffix) ? key : key + suffix;
		}

	}

	/**
	 * Keeps the first {@link #MAX_RESPONSE_BYTES} of a response and stops reading there, decoded as UTF-8 (a
	 * character cut in half becomes a replacement character).
	 */
	private static final class CappedBody implements HttpResponse.BodySubscriber<String> {

		private final CompletableFuture<String> result = new CompletableFuture<>();

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private Flow.Subscription subscription;

		@Override
		public void onSubscribe(Flow.Subscription subscription) {
			this.subscription = subscription;
			subscription.request(1);
		}

		@Override
		public void onNext(List<ByteBuffer> buffers) {
			for (ByteBuffer buffer : buffers) {
				int room = MAX_RESPONSE_BYTES - this.bytes.size();
				int take = Math.min(room, buffer.remaining());
				byte[] chunk = new byte[take];
				buffer.get(chunk);
				this.bytes.write(chunk, 0, take);
				if (this.bytes.size() >= MAX_RESPONSE_BYTES) {
					this.subscription.cancel();
					complete();
					return;
				}
			}
			this.subscription.request(1);
		}

		@Override
		public void onError(Throwable error) {
			this.result.completeExceptionally(error);
		}

		@Override
		public void onComplete() {
			complete();
		}

		@Override
		public CompletionStage<String> getBody() {
			return this.result;
		}

		private void complete() {
			this.result.complete(this.bytes.toString(StandardCharsets.UTF_8));
		}

	}

}
