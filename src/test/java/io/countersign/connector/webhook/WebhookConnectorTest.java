package io.countersign.connector.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.countersign.action.ActionTypes;
import io.countersign.action.CanonicalJson;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.receipt.ReceiptRejectedException;
import io.countersign.receipt.ReceiptRequest;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.receipt.Receipts;
import io.countersign.support.ProcessEngineTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The connector against a real HTTP server on the loopback interface, with receipts issued, verified and spent by
 * the application's own beans on the in-memory database.
 */
@ProcessEngineTest
class WebhookConnectorTest {

	static final String SECRET = "webhook-test-secret-of-at-least-32-characters";

	static final Instant NOW = Instant.parse("2026-11-21T08:00:00Z");

	static final ObjectMapper MAPPER = new ObjectMapper();

	@Autowired
	Receipts receipts;

	@Autowired
	ReceiptVerifier verifier;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Autowired
	WebhookConnector configuredConnector;

	final List<Received> received = new CopyOnWriteArrayList<>();

	/** What the server answers, in order; a plain 200 once they run out. */
	final ConcurrentLinkedDeque<Reply> replies = new ConcurrentLinkedDeque<>();

	final String responseId = "response-" + UUID.randomUUID();

	final StagedAction action = new StagedAction(ActionTypes.CREDENTIAL_SUSPEND, "svc-billing-exporter",
			MAPPER.createObjectNode().put("identity", "svc-billing-exporter").put("credential", "cred-42"));

	final String idempotencyKey = this.responseId + ":Task_ApplySuspend";

	HttpServer server;

	ExecutorService handlers;

	WebhookConnector connector;

	record Received(String method, String path, Map<String, String> headers, String body) {

		JsonNode json() throws IOException {
			return MAPPER.readTree(this.body);
		}

	}

	record Reply(int status, String body, Duration delay, Map<String, String> headers) {

		static Reply of(int status, String body) {
			return new Reply(status, body, Duration.ZERO, Map.of());
		}

	}

	@BeforeEach
	void startServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		// Handlers off the dispatcher thread, so a slow one neither blocks the next request nor stopping the server.
		this.handlers = Executors.newCachedThreadPool();
		this.server.setExecutor(this.handlers);
		this.server.createContext("/", this::handle);
		this.server.start();
		this.connector = connector(Map.of(ActionTypes.CREDENTIAL_SUSPEND, url("/hooks/credential")),
				Duration.ofMillis(300));
	}

	@AfterEach
	void stopServer() {
		this.server.stop(0);
		this.handlers.shutdownNow();
	}

	@Test
	void shouldSignBodyWithHmacSha256() throws Exception {
		this.connector.apply(call(receipt(this.action)));

		Received request = this.received.get(0);
		String timestamp = request.headers().get("X-countersign-timestamp");
		assertThat(timestamp).isEqualTo(Long.toString(NOW.getEpochSecond()));
		assertThat(request.headers().get("X-countersign-signature"))
			.isEqualTo("v1=" + hmac(SECRET, timestamp + "." + request.body()))
			.isNotEqualTo("v1=" + hmac("another-secret-of-at-least-32-characters!", timestamp + "." + request.body()))
			.isNotEqualTo("v1=" + hmac(SECRET, (NOW.getEpochSecond() + 300) + "." + request.body()));
	}

	@Test
	void shouldPostPhaseActionFingerprintReceiptAndIdempotencyKeyOnApply() throws Exception {
		String receipt = receipt(this.action);

		this.connector.apply(call(receipt));

		assertThat(this.received).hasSize(1);
		Received request = this.received.get(0);
		assertThat(request.method()).isEqualTo("POST");
		assertThat(request.path()).isEqualTo("/hooks/credential");
		assertThat(request.headers()).containsEntry("Content-type", "application/json")
			.containsEntry("Idempotency-key", this.idempotencyKey);
		assertThat(request.body()).isEqualTo(CanonicalJson.write(request.body()));
		JsonNode body = request.json();
		assertThat(body.path("phase").asText()).isEqualTo("apply");
		assertThat(body.path("responseId").asText()).isEqualTo(this.responseId);
		assertThat(body.path("idempotencyKey").asText()).isEqualTo(this.idempotencyKey);
		assertThat(body.path("action")).isEqualTo(this.action.toJsonNode());
		assertThat(body.path("fingerprint").asText()).isEqualTo(this.action.fingerprint());
		assertThat(body.path("receipt").asText()).isEqualTo(receipt);
	}

	@Test
	void shouldPostStageWithoutReceipt() throws Exception {
		this.connector.stage(new ConnectorCall(this.responseId, this.action, this.idempotencyKey, null));

		JsonNode body = this.received.get(0).json();
		assertThat(body.path("phase").asText()).isEqualTo("stage");
		assertThat(body.has("receipt")).isFalse();
		assertThat(this.received.get(0).headers()).containsEntry("Idempotency-key", this.idempotencyKey);
	}

	@Test
	void shouldGiveVerifyAndRollbackIdempotencyKeysOfTheirOwn() throws Exception {
		String receipt = receipt(this.action);
		this.connector.apply(call(receipt));

		this.connector.verify(call(receipt));
		this.connector.rollback(call(receipt));
		this.connector.rollback(new ConnectorCall(this.responseId, this.action, this.idempotencyKey + ":rollback",
				receipt));

		assertThat(this.received).extracting(request -> request.headers().get("Idempotency-key"))
			.containsExactly(this.idempotencyKey, this.idempotencyKey + ":verify", this.idempotencyKey + ":rollback",
					this.idempotencyKey + ":rollback");
		assertThat(this.received.get(1).json().path("phase").asText()).isEqualTo("verify");
		assertThat(this.received.get(2).json().path("phase").asText()).isEqualTo("rollback");
		assertThat(this.received.get(2).json().path("idempotencyKey").asText())
			.isEqualTo(this.idempotencyKey + ":rollback");
		assertThat(this.received.get(2).json().path("receipt").asText()).isEqualTo(receipt);
	}

	@Test
	void shouldFailWithStatusAndShortenedBodyWhenReceiverAnswers500() {
		this.replies.add(Reply.of(500, "database down " + "x".repeat(2000)));

		ConnectorException failure = catchThrowableOfType(() -> this.connector.apply(call(receipt(this.action))),
				ConnectorException.class);

		assertThat(failure).hasMessageContaining("HTTP 500").hasMessageContaining("database down");
		assertThat(failure.getMessage()).hasSizeLessThan(500 + 300);
	}

	@Test
	void shouldFailWithStatusWhenReceiverAnswers409() {
		this.replies.add(Reply.of(409, "{\"error\":\"credential already disabled\"}"));

		assertThatThrownBy(() -> this.connector.stage(new ConnectorCall(this.responseId, this.action,
				this.idempotencyKey, null)))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("HTTP 409")
			.hasMessageContaining("credential already disabled");
	}

	@Test
	void shouldNotFollowRedirectWhenReceiverAnswers302() {
		this.replies.add(new Reply(302, "", Duration.ZERO, Map.of("Location", url("/elsewhere").toString())));

		assertThatThrownBy(() -> this.connector.apply(call(receipt(this.action))))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("HTTP 302");
		assertThat(this.received).extracting(Received::path).containsExactly("/hooks/credential");
	}

	@Test
	void shouldBeUnavailableQuicklyWhenReceiverAnswersAfterReadTimeout() {
		this.replies.add(new Reply(200, "{}", Duration.ofSeconds(3), Map.of()));
		long start = System.nanoTime();

		assertThatThrownBy(() -> this.connector.stage(new ConnectorCall(this.responseId, this.action,
				this.idempotencyKey, null)))
			.isInstanceOf(WebhookUnavailableException.class)
			.isNotInstanceOf(ConnectorException.class);

		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
	}

	@Test
	void shouldBeUnavailableWhenNothingListens() throws IOException {
		URI closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hooks");
		}
		WebhookConnector unreachable = connector(Map.of(ActionTypes.CREDENTIAL_SUSPEND, closed), Duration.ofMillis(300));

		assertThatThrownBy(() -> unreachable.stage(new ConnectorCall(this.responseId, this.action,
				this.idempotencyKey, null)))
			.isInstanceOf(WebhookUnavailableException.class)
			.hasMessageContaining(closed.toString());
	}

	@Test
	void shouldRestoreInterruptFlagWhenInterrupted() {
		this.replies.add(new Reply(200, "{}", Duration.ofSeconds(3), Map.of()));
		Thread.currentThread().interrupt();
		try {
			assertThatThrownBy(() -> this.connector.stage(new ConnectorCall(this.responseId, this.action,
					this.idempotencyKey, null)))
				.isInstanceOf(WebhookUnavailableException.class)
				.hasMessageContaining("interrupted");
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void shouldReuseIdempotencyKeyWhenApplyIsRetriedAfterTechnicalFailure() throws Exception {
		String receipt = receipt(this.action);
		TransactionTemplate job = new TransactionTemplate(this.transactionManager);
		this.replies.add(new Reply(200, "{}", Duration.ofSeconds(3), Map.of()));

		// As the engine runs it: the failed job's transaction rolls back, which leaves the receipt unspent.
		assertThatThrownBy(() -> job.executeWithoutResult(status -> this.connector.apply(call(receipt))))
			.isInstanceOf(WebhookUnavailableException.class);
		job.executeWithoutResult(status -> this.connector.apply(call(receipt)));

		assertThat(this.received).hasSize(2);
		assertThat(this.received).extracting(request -> request.headers().get("Idempotency-key"))
			.containsExactly(this.idempotencyKey, this.idempotencyKey);
		assertThat(this.received.get(1).body()).isEqualTo(this.received.get(0).body());
	}

	@Test
	void shouldSendNothingWhenReceiptIsForAnotherAction() {
		StagedAction other = new StagedAction(ActionTypes.CREDENTIAL_SUSPEND, "svc-billing-exporter",
				MAPPER.createObjectNode().put("identity", "svc-billing-exporter").put("credential", "cred-43"));
		String receipt = receipt(other);

		ReceiptRejectedException applyRefused = catchThrowableOfType(() -> this.connector.apply(call(receipt)),
				ReceiptRejectedException.class);
		ReceiptRejectedException rollbackRefused = catchThrowableOfType(
				() -> this.connector.rollback(call(receipt)), ReceiptRejectedException.class);

		assertThat(applyRefused.reason()).isEqualTo(ReceiptRejectedException.FINGERPRINT_MISMATCH);
		assertThat(rollbackRefused.reason()).isEqualTo(ReceiptRejectedException.FINGERPRINT_MISMATCH);
		assertThat(this.received).isEmpty();
	}

	@Test
	void shouldSendNothingWhenReceiptIsReplayed() {
		String receipt = receipt(this.action);
		this.connector.apply(call(receipt));

		ReceiptRejectedException refused = catchThrowableOfType(() -> this.connector.apply(call(receipt)),
				ReceiptRejectedException.class);

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.REPLAYED);
		assertThat(this.received).hasSize(1);
	}

	@Test
	void shouldSendNothingWhenReceiptIsForAnotherResponse() {
		String receipt = this.receipts
			.issue(new ReceiptRequest("response-" + UUID.randomUUID(), this.action.fingerprint(), List.of("bob"),
					"one-of:security-leads", null, null))
			.token();

		assertThatThrownBy(() -> this.connector.verify(call(receipt))).isInstanceOf(ReceiptRejectedException.class);
		assertThat(this.received).isEmpty();
	}

	@Test
	void shouldFailNamingPropertyWhenNoEndpointIsConfiguredForTheType() {
		StagedAction quarantine = new StagedAction(ActionTypes.IDENTITY_QUARANTINE, "svc-billing-exporter",
				MAPPER.createObjectNode().put("identity", "svc-billing-exporter"));
		String receipt = receipt(quarantine);
		ConnectorCall call = new ConnectorCall(this.responseId, quarantine, this.idempotencyKey, receipt);

		assertThatThrownBy(() -> this.connector.apply(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("'identity.quarantine'")
			.hasMessageContaining("countersign.connectors.webhook.endpoints[identity.quarantine]");
		assertThatThrownBy(() -> this.configuredConnector.stage(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("countersign.connectors.webhook.endpoints[identity.quarantine]");
		assertThat(this.received).isEmpty();
		// Refused before the receipt was looked at: it is still unspent.
		this.verifier.verifyAndConsume(receipt, this.responseId, quarantine.fingerprint(), "test");
	}

	private WebhookConnector connector(Map<String, URI> endpoints, Duration readTimeout) {
		return new WebhookConnector(new WebhookProperties(SECRET, Duration.ofSeconds(2), readTimeout, endpoints),
				this.verifier, Clock.fixed(NOW, ZoneOffset.UTC));
	}

	private ConnectorCall call(String receipt) {
		return new ConnectorCall(this.responseId, this.action, this.idempotencyKey, receipt);
	}

	private String receipt(StagedAction approved) {
		return this.receipts
			.issue(new ReceiptRequest(this.responseId, approved.fingerprint(), List.of("bob", "dave"),
					"two-of:platform-owners,security-leads", null, null))
			.token();
	}

	private URI url(String path) {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + path);
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (InputStream in = exchange.getRequestBody()) {
			this.received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
					firstValues(exchange), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
		}
		Reply reply = this.replies.poll();
		if (reply == null) {
			reply = Reply.of(200, "{\"accepted\":true}");
		}
		try {
			Thread.sleep(reply.delay().toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			exchange.close();
			return;
		}
		byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
		reply.headers().forEach(exchange.getResponseHeaders()::add);
		exchange.sendResponseHeaders(reply.status(), (body.length == 0) ? -1 : body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	/** HttpServer normalises header names to a capital first letter and lower case after it. */
	private static Map<String, String> firstValues(HttpExchange exchange) {
		Map<String, String> headers = new TreeMap<>();
		exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
		return headers;
	}

	private static String hmac(String secret, String signed) throws GeneralSecurityException {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
	}

}
