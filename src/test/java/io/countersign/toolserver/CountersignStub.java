package io.countersign.toolserver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The two endpoints of a Countersign server a tool server talks to: the published keys, and use reports, answered
 * from a queue of canned answers (204 once the queue is empty). Records what it is sent.
 */
final class CountersignStub implements AutoCloseable {

	static final String PROBLEM_JSON = "application/problem+json";

	record Answer(int status, String contentType, String body, Duration delay) {

		static Answer status(int status) {
			return new Answer(status, null, null, Duration.ZERO);
		}

		static Answer problem(String reason) {
			return new Answer(409, PROBLEM_JSON,
					"{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"reason\":\"" + reason + "\"}",
					Duration.ZERO);
		}

	}

	record Request(String method, String path, String contentType, String accept, String authorization, String body) {
	}

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
		Thread thread = new Thread(runnable, "countersign-stub");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicReference<Answer> jwks = new AtomicReference<>();

	private final AtomicInteger jwksFetches = new AtomicInteger();

	private final ConcurrentLinkedQueue<Answer> useAnswers = new ConcurrentLinkedQueue<>();

	private final List<Request> uses = new CopyOnWriteArrayList<>();

	private final AtomicBoolean closed = new AtomicBoolean();

	CountersignStub() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.setExecutor(this.executor);
		this.server.createContext("/.well-known/jwks.json", exchange -> {
			this.jwksFetches.incrementAndGet();
			answer(exchange, this.jwks.get());
		});
		this.server.createContext("/api/v1/agent-actions/", exchange -> {
			this.uses.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
					exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestHeaders().getFirst("Accept"),
					exchange.getRequestHeaders().getFirst("Authorization"),
					new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
			Answer next = this.useAnswers.poll();
			answer(exchange, (next != null) ? next : Answer.status(204));
		});
		this.server.start();
	}

	URI baseUrl() {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort());
	}

	void publish(JWK... keys) {
		this.jwks.set(new Answer(200, "application/jwk-set+json", new JWKSet(List.of(keys)).toString(true),
				Duration.ZERO));
	}

	void answerKeys(Answer answer) {
		this.jwks.set(answer);
	}

	int jwksFetches() {
		return this.jwksFetches.get();
	}

	void answerUses(Answer... answers) {
		this.useAnswers.addAll(List.of(answers));
	}

	List<Request> uses() {
		return List.copyOf(this.uses);
	}

	private static void answer(HttpExchange exchange, Answer answer) throws IOException {
		try (exchange) {
			if (!answer.delay().isZero()) {
				Thread.sleep(answer.delay().toMillis());
			}
			if (answer.contentType() != null) {
				exchange.getResponseHeaders().set("Content-Type", answer.contentType());
			}
			if (answer.body() == null) {
				exchange.sendResponseHeaders(answer.status(), -1);
				return;
			}
			byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(answer.status(), body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		this.server.stop(0);
		this.executor.shutdownNow();
	}

}
