package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * An anonymous guesser who knows an approver's user id must not lock the approver out: failed logins are throttled by
 * source address (429, Retry-After) on the API and on the webapps' login, and the account stays usable. The test
 * client connects from loopback, declared a trusted proxy here, so X-Forwarded-For plays the attacker's and the
 * approver's addresses; the window is short so the test can wait for its end.
 */
@HttpIntegrationTest
@TestPropertySource(properties = { "countersign.login-throttle.max-failures=10",
		"countersign.login-throttle.window=PT5S",
		"countersign.login-throttle.trusted-proxies=127.0.0.1,0:0:0:0:0:0:0:1" })
class LoginThrottleIntegrationTest {

	private static final String APPROVER_ADDRESS = "203.0.113.7";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	IdentityService identityService;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void shouldThrottleAnonymousPasswordGuessingByAddressWithoutLockingTheApprover() throws Exception {
		String attacker = "198.51.100.66";
		List<Integer> statuses = new ArrayList<>();
		long started = System.nanoTime();
		HttpResponse<String> throttled = null;
		for (int i = 0; i < 20; i++) {
			HttpResponse<String> guess = apiLogin("alice", "guess-" + i, attacker);
			statuses.add(guess.statusCode());
			if (guess.statusCode() == 429) {
				throttled = guess;
			}
		}
		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the guesses must fit in one window")
			.isLessThan(Duration.ofSeconds(5));
		assertThat(statuses.subList(0, 10)).containsOnly(401);
		assertThat(statuses.subList(10, 20)).containsOnly(429);
		assertThat(throttled.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(
				seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 5));
		assertThat(throttled.body()).contains("\"status\":429");

		// Ten failures used to lock alice for good; from her own address she works on at once.
		assertThat(apiLogin("alice", "alice", APPROVER_ADDRESS).statusCode()).isEqualTo(200);
		// The guesser's address is refused even with the right password: it learns nothing more in this window.
		assertThat(apiLogin("alice", "alice", attacker).statusCode()).isEqualTo(429);
		assertNotLocked("alice");

		// Once the window has passed, the address may log in again, and alice still can.
		Awaitility.await()
			.atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> apiLogin("alice", "alice", attacker).statusCode(), status -> status == 200);
	}

	@Test
	void shouldThrottleWebappLoginGuessingByAddressWithoutLockingTheApprover() throws Exception {
		String attacker = "198.51.100.77";
		Webapp browser = new Webapp();
		List<Integer> statuses = new ArrayList<>();
		HttpResponse<String> throttled = null;
		for (int i = 0; i < 20; i++) {
			HttpResponse<String> guess = browser.login("bob", "guess-" + i, attacker);
			statuses.add(guess.statusCode());
			if (guess.statusCode() == 429) {
				throttled = guess;
			}
		}
		assertThat(statuses.subList(0, 10)).containsOnly(401);
		assertThat(statuses.subList(10, 20)).containsOnly(429);
		assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
		assertThat(throttled.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));

		assertThat(new Webapp().login("bob", "bob", APPROVER_ADDRESS).statusCode()).isEqualTo(200);
		assertThat(new Webapp().login("bob", "bob", attacker).statusCode()).isEqualTo(429);
		assertNotLocked("bob");
		Awaitility.await()
			.atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> new Webapp().login("bob", "bob", attacker).statusCode(), status -> status == 200);
	}

	@Test
	void shouldRefuseThePasswordOracleOfEngineRest() throws Exception {
		HttpResponse<String> verify = this.http.send(HttpRequest
			.newBuilder(uri("/engine-rest/engine/" + this.processEngine.getName() + "/identity/verify"))
			.header("Authorization", basic("scanner", "scanner"))
			.header("Content-Type", "application/json")
			.header("X-Forwarded-For", "198.51.100.88")
			.POST(BodyPublishers.ofString("{\"username\":\"carol\",\"password\":\"guess\"}"))
			.build(), BodyHandlers.ofString());

		assertThat(verify.statusCode()).isEqualTo(403);

		// The webapps' copy of the engine API, with a logged-in Tasklist session, is closed too.
		Webapp alice = new Webapp();
		assertThat(alice.login("alice", "alice", "198.51.100.89").statusCode()).isEqualTo(200);
		HttpResponse<String> viaWebapp = alice.post(
				"/camunda/api/engine/engine/" + this.processEngine.getName() + "/identity/verify",
				"{\"username\":\"carol\",\"password\":\"guess\"}");
		assertThat(viaWebapp.statusCode()).as(viaWebapp.body()).isEqualTo(403);
		assertThat(viaWebapp.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		assertNotLocked("carol");
	}

	/** Camunda records a lock on the user row; a locked user fails checkPassword whatever the password. */
	private void assertNotLocked(String userId) {
		User user = this.identityService.createUserQuery().userId(userId).singleResult();
		assertThat(user).isNotNull();
		assertThat(this.identityService.checkPassword(userId, userId)).as(userId + " is not locked").isTrue();
	}

	private HttpResponse<String> apiLogin(String user, String password, String address) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri("/api/v1/responses?size=1"))
			.header("Authorization", basic(user, password))
			.header("X-Forwarded-For", address)
			.GET()
			.build(), BodyHandlers.ofString());
	}

	/** A browser session on Tasklist: its cookies and the XSRF token the webapps' login requires. */
	private final class Webapp {

		private final CookieManager cookies = new CookieManager();

		private final HttpClient browser = HttpClient.newBuilder().cookieHandler(this.cookies).build();

		private String xsrfToken;

		HttpResponse<String> login(String user, String password, String address) throws IOException,
				InterruptedException {
			if (this.xsrfToken == null) {
				this.browser.send(HttpRequest
					.newBuilder(uri("/camunda/app/tasklist/" + LoginThrottleIntegrationTest.this.processEngine.getName() + "/"))
					.GET()
					.build(), BodyHandlers.ofString());
				this.xsrfToken = ApiClient.xsrfToken(this.cookies);
			}
			return post("/camunda/api/admin/auth/user/" + LoginThrottleIntegrationTest.this.processEngine.getName()
					+ "/login/tasklist", "username=" + user + "&password=" + password, "application/x-www-form-urlencoded",
					address);
		}

		HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
			return post(path, json, "application/json", "198.51.100.89");
		}

		private HttpResponse<String> post(String path, String body, String contentType, String address)
				throws IOException, InterruptedException {
			return this.browser.send(HttpRequest.newBuilder(uri(path))
				.header("Content-Type", contentType)
				.header("X-XSRF-TOKEN", this.xsrfToken)
				.header("X-Forwarded-For", address)
				.POST(BodyPublishers.ofString(body))
				.build(), BodyHandlers.ofString());
		}

	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
