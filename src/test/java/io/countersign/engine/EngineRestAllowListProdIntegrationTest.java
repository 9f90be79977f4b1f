package io.countersign.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.CountersignApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;

/**
 * The {@code prod} profile has the allow-list on without being told: started with only the secrets it requires (and
 * no COUNTERSIGN_* variable of the machine running the test), engine-rest still names its engines and answers a task
 * query on its default root, and refuses a message correlation with the allow-list's 404.
 */
class EngineRestAllowListProdIntegrationTest {

	private static final String ADMIN = "opsadmin";

	private static final String STRONG_PASSWORD = "Kx7#mQ2!vTz9pL";

	@Test
	void shouldServeOnlyTheAllowListInProdByDefault() throws Exception {
		SpringApplication application = new SpringApplication(CountersignApplication.class);
		application.setAdditionalProfiles("prod");
		application.setEnvironment(new StandardEnvironment() {
			@Override
			public Map<String, Object> getSystemEnvironment() {
				Map<String, Object> variables = new HashMap<>(super.getSystemEnvironment());
				variables.keySet().removeIf(name -> name.startsWith("COUNTERSIGN_"));
				return variables;
			}
		});
		try (ConfigurableApplicationContext context = application.run(
				"--spring.datasource.url=jdbc:h2:mem:prod-allowlist;DB_CLOSE_DELAY=-1",
				"--spring.datasource.password=vault-issued-db-secret", "--camunda.bpm.admin-user.id=" + ADMIN,
				"--camunda.bpm.admin-user.password=" + STRONG_PASSWORD, "--server.port=0",
				// Test data, not real secrets.
				"--countersign.receipts.key-encryption-secret=test-only-receipt-key-secret-0123456789",
				"--countersign.ledger.key-secret=test-only-ledger-key-secret-0123456789", "--countersign.public-url=https://countersign.example.com",
				"--countersign.ledger.checkpoints.directory=target/prod-allowlist-checkpoints",
				// The engine keeps its name "default", so engine-rest's default root serves it.
				"--camunda.bpm.job-execution.enabled=false")) {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();

			HttpResponse<String> engines = send(port, "GET", "/engine-rest/engine", null);
			HttpResponse<String> tasks = send(port, "GET", "/engine-rest/task", null);
			HttpResponse<String> message = send(port, "POST", "/engine-rest/message", "{\"messageName\":\"x\"}");

			assertThat(engines.statusCode()).as(engines.body()).isEqualTo(200);
			assertThat(tasks.statusCode()).as(tasks.body()).isEqualTo(200);
			assertThat(message.statusCode()).as(message.body()).isEqualTo(404);
			assertThat(message.headers().firstValue("Content-Type")).hasValueSatisfying(
					type -> assertThat(type).startsWith("application/problem+json"));
			assertThat(new ObjectMapper().readTree(message.body()).path("type").asText())
				.isEqualTo(EngineRestAllowListFilter.PROBLEM_TYPE.toString());
		}
	}

	private static HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
		String credentials = Base64.getEncoder()
			.encodeToString((ADMIN + ":" + STRONG_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Authorization", "Basic " + credentials)
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
