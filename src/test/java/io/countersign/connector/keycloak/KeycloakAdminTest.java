package io.countersign.connector.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * How {@link KeycloakAdmin} reports a Keycloak that is not there, does not answer, or answers with an error. The real
 * server's refusals are in {@link KeycloakAdminIntegrationTest}; these are the answers a healthy Keycloak cannot be
 * made to give, played by a bare socket or HTTP server on the loopback interface.
 */
class KeycloakAdminTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String PASSWORD = "admin-password-that-must-stay-secret";

	/** Only a guard against hanging for ever; the timeout under test is far shorter. */
	private static final Duration HANG_GUARD = Duration.ofSeconds(60);

	/** Closed after each test; the acceptor thread of the silent server adds to it. */
	private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();

	@AfterEach
	void stopServers() throws Exception {
		for (AutoCloseable server : this.servers) {
			server.close();
		}
	}

	@Test
	void shouldReportUnavailableWhenNothingListens() throws IOException {
		int port;
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = probe.getLocalPort();
		}
		KeycloakAdmin admin = admin("http://127.0.0.1:" + port, Duration.ofSeconds(2));

		assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> admin.findClient("svc-reporting"))
			.isInstanceOf(KeycloakUnavailableException.class)
			.hasMessageContaining("admin login")
			.hasMessageContaining("127.0.0.1:" + port)
			.hasMessageNotContaining(PASSWORD));
	}

	@Test
	void shouldReportUnavailableWithinTimeoutWhenServerNeverAnswers() throws IOException {
		ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.servers.add(silent);
		Thread acceptor = new Thread(() -> {
			try {
				while (true) {
					Socket connection = silent.accept();
					this.servers.add(connection);
				}
			}
			catch (IOException ex) {
				// Closed at the end of the test.
			}
		});
		acceptor.setDaemon(true);
		acceptor.start();
		Duration timeout = Duration.ofMillis(500);
		KeycloakAdmin admin = admin("http://127.0.0.1:" + silent.getLocalPort(), timeout);

		assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> admin.findClient("svc-reporting"))
			.isInstanceOf(KeycloakUnavailableException.class)
			.hasMessageContaining("admin login")
			.hasMessageNotContaining(PASSWORD));
	}

	@Test
	void shouldReportUnavailableWhenKeycloakFailsOnItsSide() throws IOException {
		String url = answering(503, "{\"error\":\"unknown_error\"}");

		assertThatThrownBy(() -> admin(url, Duration.ofSeconds(2)).findClient("svc-reporting"))
			.isInstanceOf(KeycloakUnavailableException.class)
			.hasMessageContaining("HTTP 503")
			.hasMessageContaining("unknown_error");
	}

	@Test
	void shouldReportRefusedWithoutEchoedSecretsWhenKeycloakSaysNo() throws IOException {
		// A server that quotes the request back in its error: the password it was sent must not reach the message.
		HttpServer echo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		echo.createContext("/", exchange -> {
			String request;
			try (InputStream body = exchange.getRequestBody()) {
				request = new String(body.readAllBytes(), StandardCharsets.UTF_8);
			}
			byte[] answer = JSON.writeValueAsBytes(
					Map.of("error", "invalid_grant", "error_description", "Bad request: " + request));
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(401, answer.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(answer);
			}
		});
		echo.start();
		this.servers.add(() -> echo.stop(0));
		String url = "http://127.0.0.1:" + echo.getAddress().getPort();

		assertThatThrownBy(() -> admin(url, Duration.ofSeconds(2)).setEnabled("svc-reporting", false))
			.isInstanceOfSatisfying(KeycloakRefusedException.class, ex -> {
				assertThat(ex.status()).isEqualTo(401);
				assertThat(ex.getMessage()).contains("invalid_grant").contains("***").doesNotContain(PASSWORD);
			});
	}

	@Test
	void shouldTreatRedirectAsRefusalAndNotFollowIt() throws IOException {
		HttpServer redirecting = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		List<String> paths = new ArrayList<>();
		redirecting.createContext("/", exchange -> {
			paths.add(exchange.getRequestURI().getPath());
			exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/elsewhere");
			exchange.sendResponseHeaders(302, -1);
			exchange.close();
		});
		redirecting.start();
		this.servers.add(() -> redirecting.stop(0));

		assertThatThrownBy(() -> admin("http://127.0.0.1:" + redirecting.getAddress().getPort(), Duration.ofSeconds(2))
			.findClient("svc-reporting"))
			.isInstanceOfSatisfying(KeycloakRefusedException.class, ex -> assertThat(ex.status()).isEqualTo(302));
		assertThat(paths).containsExactly("/realms/master/protocol/openid-connect/token");
	}

	private String answering(int status, String body) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/", exchange -> {
			exchange.getRequestBody().readAllBytes();
			byte[] answer = body.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(status, answer.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(answer);
			}
		});
		server.start();
		this.servers.add(() -> server.stop(0));
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	private static KeycloakAdmin admin(String url, Duration timeout) {
		return new KeycloakAdmin(KeycloakTarget.withUser(url, "countersign", null, "admin", PASSWORD, timeout), JSON,
				Clock.systemUTC());
	}

}
