package io.countersign.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.countersign.action.StagedAction;
import org.awaitility.Awaitility;

/** A tiny HTTP client that plays one demo user against a running Countersign. */
public final class ApiClient {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String baseUrl;

	public ApiClient(int port) {
		this.baseUrl = "http://localhost:" + port;
	}

	public record Reply(int status, String contentType, String body) {

		public JsonNode json() {
			try {
				return this.body == null || this.body.isBlank() ? MissingNode.getInstance() : MAPPER.readTree(this.body);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Not JSON (" + this.status + "): " + this.body, ex);
			}
		}

		@Override
		public String toString() {
			return this.status + " " + this.contentType + " " + this.body;
		}

	}

	/** Polls {@code GET /api/v1/responses/{id}} as {@code user} until the response has {@code status}. */
	/** The CSRF token the Camunda webapps handed this browser session, which every write must carry. */
	public static String xsrfToken(CookieManager cookies) {
		return cookies.getCookieStore()
			.getCookies()
			.stream()
			.filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
			.map(HttpCookie::getValue)
			.reduce((first, last) -> last)
			.orElseThrow();
	}

	/** The JSON lines of an NDJSON answer, such as the ledger's. */
	public static List<JsonNode> jsonLines(Reply reply) {
		List<JsonNode> lines = new ArrayList<>();
		for (String line : reply.body().split("\n")) {
			if (!line.isBlank()) {
				try {
					lines.add(MAPPER.readTree(line));
				}
				catch (IOException ex) {
					throw new IllegalStateException("not a JSON line: " + line, ex);
				}
			}
		}
		return lines;
	}

	/**
	 * Registers a production identity with one API key, as the scanner, and reports the key leaked with
	 * {@code severity}: a secret rotation that platform owners approve. Returns the response id without waiting.
	 */
	public String startRotation(String identityPrefix, String severity) {
		String identity = identityPrefix + "-" + UUID.randomUUID();
		String credential = "key-" + identity;
		Reply upsert = put("scanner", "/api/v1/identities/" + identity, Map.of("owner", "payments-team", "environment",
				"production", "privileges", List.of("repo:write"), "credentials", List.of(Map.of("id", credential,
						"kind", "API_KEY", "fingerprint", StagedAction.sha256("v1 " + credential)))));
		if (upsert.status() != 200) {
			throw new IllegalStateException("identity not registered: " + upsert);
		}
		Reply started = post("scanner", "/api/v1/responses", Map.of("playbook", "secret-rotation", "identity", identity,
				"credential", credential, "summary", "Key seen in a public gist", "source", "gist-scanner", "severity",
				severity, "environment", "production"));
		if (started.status() != 200 && started.status() != 202) {
			throw new IllegalStateException("response not started: " + started);
		}
		return started.json().path("id").asText();
	}

	/** {@link #startRotation}, once its approval task is open. */
	public String rotationAwaitingApproval(String identityPrefix) {
		String id = startRotation(identityPrefix, "high");
		awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		return id;
	}

	public JsonNode awaitResponseStatus(String user, String id, String status) {
		return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
			Reply reply = get(user, "/api/v1/responses/" + id);
			if (reply.status() != 200) {
				throw new IllegalStateException("Reading response " + id + " failed: " + reply);
			}
			return reply.json();
		}, response -> status.equals(response.path("status").asText()));
	}

	public Reply get(String user, String path) {
		return send(user, "GET", path, null, Map.of());
	}

	public Reply post(String user, String path, Object body) {
		return send(user, "POST", path, body, Map.of());
	}

	public Reply put(String user, String path, Object body) {
		return send(user, "PUT", path, body, Map.of());
	}

	/** {@code body} is sent as is when it is a String, else as JSON. {@code user} null means anonymous. */
	public Reply send(String user, String method, String path, Object body, Map<String, String> headers) {
		try {
			String text = body == null ? null : body instanceof String s ? s : MAPPER.writeValueAsString(body);
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.baseUrl + path))
				.timeout(Duration.ofSeconds(30))
				.method(method, text == null ? HttpRequest.BodyPublishers.noBody()
						: HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
			if (text != null) {
				request.header("Content-Type", "application/json");
			}
			if (user != null) {
				// Demo users' passwords equal their ids.
				request.header("Authorization", "Basic "
						+ Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
			}
			// A header given here replaces the default, Content-Type included.
			headers.forEach(request::setHeader);
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
