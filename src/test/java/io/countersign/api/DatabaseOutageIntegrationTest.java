package io.countersign.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.PostgresTestDatabase;
import io.countersign.support.TcpProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PostgreSQL goes away for a few seconds (a TCP proxy between the application and the database is cut): requests are
 * answered 503 problem+json with Retry-After within the bounded connection timeout, not a 500 after ten seconds; a
 * decision sent meanwhile is not recorded; once the database is back everything works again and nothing confirmed
 * before the outage is lost. Runs with the shipped pool settings of the postgres profile.
 */
@HttpIntegrationTest
@ActiveProfiles("postgres")
@DirtiesContext
class DatabaseOutageIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static TcpProxy proxy;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", DatabaseOutageIntegrationTest::proxiedUrl);
		registry.add("spring.datasource.username", DATABASE::getUsername);
		registry.add("spring.datasource.password", DATABASE::getPassword);
	}

	@AfterAll
	static void stopProxy() throws IOException {
		if (proxy != null) {
			proxy.close();
		}
	}

	@Test
	void shouldAnswerServiceUnavailableDuringOutageAndLoseNothing() throws Exception {
		ApiClient api = new ApiClient(this.port);
		String decided = api.rotationAwaitingApproval("svc-outage");
		String fingerprint = api.get("scanner", "/api/v1/responses/" + decided).json().at("/stagedAction/fingerprint")
			.asText();
		Reply approved = api.post("bob", "/api/v1/responses/" + decided + "/decision",
				Map.of("decision", "APPROVE", "reason", "before the outage", "fingerprint", fingerprint));
		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		api.awaitResponseStatus("scanner", decided, "COMPLETED");
		String open = api.rotationAwaitingApproval("svc-outage");
		String openFingerprint = api.get("scanner", "/api/v1/responses/" + open).json().at("/stagedAction/fingerprint")
			.asText();

		proxy.cut();
		try {
			for (String[] call : List.of(new String[] { "scanner", "GET", "/api/v1/responses/" + open, null },
					new String[] { "bob", "POST", "/api/v1/responses/" + open + "/decision",
							JSON.writeValueAsString(Map.of("decision", "REJECT", "reason", "during the outage",
									"fingerprint", openFingerprint)) },
					new String[] { "scanner", "GET", "/api/v1/responses?size=5", null })) {
				long started = System.nanoTime();
				HttpResponse<String> reply = send(call[0], call[1], call[2], call[3]);
				Duration took = Duration.ofNanos(System.nanoTime() - started);
				String what = call[1] + " " + call[2] + " -> " + reply.statusCode() + " " + reply.body();
				assertThat(reply.statusCode()).as(what).isEqualTo(503);
				assertThat(reply.headers().firstValue("Content-Type").orElse("")).as(what)
					.startsWith("application/problem+json");
				assertThat(reply.headers().firstValue("Retry-After")).as(what).isPresent();
				assertThat(JSON.readTree(reply.body()).path("status").asInt()).as(what).isEqualTo(503);
				assertThat(took).as(what).isLessThan(Duration.ofSeconds(8));
			}
			Thread.sleep(2000);
		}
		finally {
			proxy.restore();
		}

		Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
			.until(() -> api.get("scanner", "/api/v1/responses/" + open).status() == 200);
		JsonNode stillOpen = api.get("scanner", "/api/v1/responses/" + open).json();
		assertThat(stillOpen.path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(stillOpen.path("decisions")).as("the decision refused with 503 was not recorded").isEmpty();
		JsonNode before = api.get("scanner", "/api/v1/responses/" + decided).json();
		assertThat(before.path("status").asText()).isEqualTo("COMPLETED");
		assertThat(before.path("decisions").findValuesAsText("decision")).containsExactly("APPROVE");

		Reply afterwards = api.post("bob", "/api/v1/responses/" + open + "/decision",
				Map.of("decision", "APPROVE", "reason", "after the outage", "fingerprint", openFingerprint));
		assertThat(afterwards.status()).as(afterwards.toString()).isEqualTo(200);
		api.awaitResponseStatus("scanner", open, "COMPLETED");
		Reply verified = api.get("audrey", "/api/v1/audit?response=" + open);
		assertThat(verified.status()).isEqualTo(200);
		assertThat(verified.body()).contains("APPLIED");
	}

	private HttpResponse<String> send(String user, String method, String path, String body) {
		try {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
				.timeout(Duration.ofSeconds(30))
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
						: HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
				.header("Authorization", "Basic "
						+ Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
			if (body != null) {
				request.header("Content-Type", "application/json");
			}
			return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static synchronized String proxiedUrl() {
		URI url = URI.create(DATABASE.getJdbcUrl().substring("jdbc:".length()));
		if (proxy == null) {
			try {
				proxy = new TcpProxy(url.getHost(), url.getPort() < 0 ? 5432 : url.getPort());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return "jdbc:postgresql://127.0.0.1:" + proxy.port() + url.getRawPath()
				+ (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
	}

}
