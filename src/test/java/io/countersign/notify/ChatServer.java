package io.countersign.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on a free loopback port standing in for Slack's and Teams' incoming webhooks: it records every
 * POST (path, content type, JSON body) and answers with the statuses it was told, then 200 (Slack's answer; Teams
 * answers 202, which is just as good).
 */
final class ChatServer implements AutoCloseable {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	record Received(String path, String contentType, JsonNode body) {
	}

	private final HttpServer server;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final Deque<Integer> statuses = new ArrayDeque<>();

	private volatile Duration delay = Duration.ZERO;

	ChatServer() {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.createContext("/", this::handle);
		this.server.setExecutor(Executors.newCachedThreadPool(runnable -> {
			Thread thread = new Thread(runnable, "chat-server");
			thread.setDaemon(true);
			return thread;
		}));
		this.server.start();
	}

	URI url(String path) {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + path);
	}

	/** The next answers, in order; after them, 200. */
	synchronized void answer(Integer... statuses) {
		this.statuses.addAll(List.of(statuses));
	}

	/** How long each answer waits, to make a read timeout happen. */
	void delay(Duration delay) {
		this.delay = delay;
	}

	List<Received> received() {
		return List.copyOf(this.received);
	}

	List<Received> received(String path) {
		return this.received.stream().filter(r -> r.path().equals(path)).toList();
	}

	void clear() {
		this.received.clear();
		synchronized (this) {
			this.statuses.clear();
		}
		this.delay = Duration.ZERO;
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange; InputStream body = exchange.getRequestBody()) {
			String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
			this.received.add(new Received(exchange.getRequestURI().getPath(),
					exchange.getRequestHeaders().getFirst("Content-Type"), MAPPER.readTree(text)));
			if (!this.delay.isZero()) {
				try {
					Thread.sleep(this.delay.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			int status;
			synchronized (this) {
				status = this.statuses.isEmpty() ? 200 : this.statuses.pop();
			}
			byte[] answer = (status == 200 ? "ok" : "error").getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(status, answer.length);
			exchange.getResponseBody().write(answer);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
