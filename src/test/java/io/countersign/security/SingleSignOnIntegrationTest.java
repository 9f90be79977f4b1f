package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.countersign.action.StagedAction;
import io.countersign.support.HeadlessChromium;
import io.countersign.support.KeycloakRealmBuilder;
import io.countersign.support.KeycloakServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.task.Task;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Profile {@code keycloak} against a real Keycloak and a real Chromium: the approvers, their groups and the
 * integrators' service account live in a Keycloak realm only (nobody is created in Countersign), people sign in to
 * Tasklist on Keycloak's login page, machines call the API with bearer tokens of the realm, and the gate reads group
 * membership from Keycloak at the moment of each decision.
 */
@ExtendWith(HeadlessChromium.Required.class)
@ActiveProfiles("keycloak")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
				"camunda.bpm.generate-unique-process-engine-name=true",
				"camunda.bpm.generate-unique-process-application-name=true",
				"camunda.bpm.job-execution.max-wait=500", "camunda.bpm.job-execution.wait-time-in-millis=200" })
class SingleSignOnIntegrationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Duration UI_TIMEOUT = Duration.ofSeconds(30);

	private static final String REALM = "countersign-sso";

	private static final String CLIENT = "countersign";

	/** Test-only demo value on a throwaway Keycloak. */
	private static final String CLIENT_SECRET = "countersign-sso-test-secret-demo-only";

	private static final String SCANNER_CLIENT = "scanner";

	/** Test-only demo value on a throwaway Keycloak. */
	private static final String SCANNER_SECRET = "scanner-sso-test-secret-demo-only";

	/** Test-only password of every realm user. */
	private static final String PASSWORD = "Demo-only-pass-1";

	private static final int PORT = freePort();

	private static KeycloakRealmBuilder realm;

	private static HeadlessChromium chromium;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Autowired
	ProcessEngine processEngine;

	@RegisterExtension
	final AfterTestExecutionCallback evidenceOnFailure = context -> {
		if (context.getExecutionException().isPresent() && chromium != null) {
			chromium.saveEvidence("sso-" + context.getRequiredTestMethod().getName() + "-failure");
		}
	};

	/** The realm exists before the application starts: its login and identity provider read it at startup. */
	@DynamicPropertySource
	static void keycloak(DynamicPropertyRegistry registry) {
		realm = KeycloakRealmBuilder.create(KeycloakServer.shared(), REALM);
		for (String group : List.of(Groups.PLATFORM_OWNERS, Groups.SECOPS_ANALYSTS, Groups.ACCESS_OWNERS,
				Groups.SECURITY_LEADS, Groups.AGENT_REVIEWERS, Groups.INTEGRATORS, Groups.AGENTS, Groups.TOOL_SERVERS,
				Groups.AUDITORS, Groups.ADMIN)) {
			realm.group(group);
		}
		realm.user("bob", PASSWORD, Groups.PLATFORM_OWNERS)
			.user("paul", PASSWORD, Groups.PLATFORM_OWNERS)
			.user("audrey", PASSWORD, Groups.AUDITORS)
			.confidentialClient(CLIENT, CLIENT_SECRET, "http://localhost:" + PORT + "/login/oauth2/code/keycloak", true)
			.serviceAccountManagementRoles(CLIENT, "view-users", "query-users", "query-groups")
			.confidentialClient(SCANNER_CLIENT, SCANNER_SECRET, null, false)
			.serviceAccountInGroup(SCANNER_CLIENT, Groups.INTEGRATORS);
		registry.add("server.port", () -> PORT);
		registry.add("countersign.oidc.issuer", realm::issuer);
		registry.add("countersign.oidc.client-id", () -> CLIENT);
		registry.add("countersign.oidc.client-secret", () -> CLIENT_SECRET);
	}

	@BeforeAll
	static void startBrowser() {
		chromium = HeadlessChromium.start();
	}

	@AfterAll
	static void stopBrowser() {
		if (chromium != null) {
			chromium.close();
		}
	}

	@Test
	void shouldApproveInTasklistAfterSigningInOnKeycloakAndEndBothSessionsOnLogout() {
		String responseId = startRotation();
		String fingerprint = awaitStatus(responseId, "AWAITING_APPROVAL").path("stagedAction")
			.path("fingerprint")
			.asText();
		Task task = this.processEngine.getTaskService()
			.createTaskQuery()
			.processInstanceBusinessKey(responseId)
			.singleResult();
		WebDriver driver = chromium.driver();
		WebDriverWait wait = chromium.waiting(UI_TIMEOUT);

		// Tasklist sends the browser to Keycloak's login page; the webapps' own login form is not a way in.
		String tasklist = app("/camunda/app/tasklist/" + engine() + "/");
		driver.get(tasklist);
		signInOnKeycloak(wait, "bob");
		wait.until(ExpectedConditions.urlContains(tasklist));
		// The fragment never reaches a server, so the login returns to Tasklist itself; then the task, as a link opens it.
		driver.get(tasklist + "#/?task=" + task.getId());
		WebElement claim = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.claim")));
		claim.click();
		wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[cam-tasklist-form] .disabled-form"), 0));
		WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(By.xpath(
				"//form[contains(@class,'fjs-form')]//div[contains(@class,'fjs-form-field-radio')]//label[starts-with(normalize-space(),'Approve')]")));
		scrollIntoView(approve);
		approve.click();
		String reason = "Signed in through Keycloak, rotating now " + UUID.randomUUID();
		WebElement reasonField = field(wait, "Reason");
		scrollIntoView(reasonField);
		reasonField.sendKeys(reason);
		wait.until(d -> reason.equals(reasonField.getDomProperty("value")));
		WebElement complete = wait.until(ExpectedConditions.elementToBeClickable(
				By.xpath("//div[contains(@class,'form-actions')]//button[normalize-space()='Complete']")));
		scrollIntoView(complete);
		complete.click();

		JsonNode done = awaitStatus(responseId, "COMPLETED");
		assertThat(done.path("decisions")).hasSize(1);
		assertThat(done.path("decisions").get(0).path("approver").asText()).isEqualTo("bob");
		assertThat(done.path("decisions").get(0).path("reason").asText()).isEqualTo(reason);
		assertThat(done.path("decisions").get(0).path("fingerprint").asText()).isEqualTo(fingerprint);

		// Logged in, the webapps' REST API answers this browser.
		String taskCount = "/camunda/api/engine/engine/" + engine() + "/task/count";
		assertThat(browserFetch("GET", taskCount)).isEqualTo(200);
		// Tasklist's logout (the XHR its menu sends) ends the webapp session and Bob's Keycloak session.
		assertThat(browserFetch("POST", "/camunda/api/admin/auth/user/" + engine() + "/logout")).isEqualTo(200);
		assertThat(browserFetch("GET", taskCount)).isEqualTo(401);
		driver.get(tasklist);
		// Keycloak asks for the password again: its session ended too, or it would have signed Bob straight back in.
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
		assertThat(driver.getCurrentUrl()).startsWith(realm.issuer() + "/protocol/openid-connect/auth");
	}

	@Test
	void shouldLetAnIntegratorStartAResponseWithABearerTokenAndApplyEngineAuthorizationsToBearerCalls() {
		String scanner = realm.clientToken(SCANNER_CLIENT, SCANNER_SECRET);
		String identity = registerIdentity(scanner);
		Reply started = call("POST", "/api/v1/responses", scanner, rotation(identity));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String responseId = started.json().path("id").asText();
		JsonNode staged = awaitStatus(responseId, "AWAITING_APPROVAL");
		assertThat(staged.path("requestedBy").asText()).isEqualTo("service-account-" + SCANNER_CLIENT);

		// The engine decides engine-rest calls with the token's user and groups: a candidate sees the task ...
		String bob = realm.passwordToken(CLIENT, CLIENT_SECRET, "bob", PASSWORD);
		Reply bobsTasks = call("GET", engineRest("/task?processInstanceBusinessKey=" + responseId), bob, null);
		assertThat(bobsTasks.status()).as(bobsTasks.toString()).isEqualTo(200);
		assertThat(bobsTasks.json()).hasSize(1);
		// ... an integrator, who holds no engine authorization, does not.
		Reply scannersTasks = call("GET", engineRest("/task?processInstanceBusinessKey=" + responseId), scanner, null);
		assertThat(scannersTasks.status()).as(scannersTasks.toString()).isEqualTo(200);
		assertThat(scannersTasks.json()).isEmpty();
		// And the API's group rules hold for tokens: an integrator never decides.
		Reply decided = call("POST", "/api/v1/responses/" + responseId + "/decision", scanner,
				Map.of("decision", "APPROVE", "reason", "ok", "fingerprint",
						staged.path("stagedAction").path("fingerprint").asText()));
		assertThat(decided.status()).as(decided.toString()).isEqualTo(403);
	}

	@Test
	void shouldRefuseBasicCredentialsForgedTokensAndTokensOfAnotherIssuer() throws Exception {
		String basic = "Basic " + Base64.getEncoder().encodeToString("bob:bob".getBytes(StandardCharsets.UTF_8));
		for (String path : List.of("/api/v1/responses", engineRest("/task"))) {
			Reply reply = send("GET", path, basic, null);
			assertThat(reply.status()).as(path + ": " + reply).isEqualTo(401);
			assertThat(reply.contentType()).startsWith("application/problem+json");
		}
		// Right issuer and claims, but signed with a key the realm never published.
		RSAKey attacker = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attacker.getKeyID()).build(),
				new JWTClaimsSet.Builder().issuer(realm.issuer())
					.subject(UUID.randomUUID().toString())
					.claim("preferred_username", "service-account-" + SCANNER_CLIENT)
					.claim("groups", List.of(Groups.INTEGRATORS, Groups.ADMIN))
					.issueTime(new Date())
					.expirationTime(Date.from(Instant.now().plusSeconds(300)))
					.build());
		forged.sign(new RSASSASigner(attacker));
		// A real token of this Keycloak, from another realm (another issuer).
		for (String token : List.of(forged.serialize(), realm.masterRealmToken())) {
			Reply reply = call("GET", "/api/v1/responses", token, null);
			assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
			assertThat(reply.contentType()).startsWith("application/problem+json");
			assertThat(call("GET", engineRest("/task"), token, null).status()).isEqualTo(401);
		}
		// The webapps' password login is closed: people sign in on Keycloak.
		Reply formLogin = send("POST", "/camunda/api/admin/auth/user/" + engine() + "/login/tasklist", null,
				"username=bob&password=" + PASSWORD);
		assertThat(formLogin.status()).as(formLogin.toString()).isIn(401, 403);
	}

	@Test
	void shouldRefuseTheDecisionOfSomeoneRemovedFromTheApprovingGroupInKeycloakAfterLogin() {
		String paul = realm.passwordToken(CLIENT, CLIENT_SECRET, "paul", PASSWORD);
		String responseId = startRotation();
		String fingerprint = awaitStatus(responseId, "AWAITING_APPROVAL").path("stagedAction")
			.path("fingerprint")
			.asText();

		realm.removeFromGroup("paul", Groups.PLATFORM_OWNERS);

		// His token still says platform-owners; the gate asks Keycloak, which no longer does.
		Reply decided = call("POST", "/api/v1/responses/" + responseId + "/decision", paul,
				Map.of("decision", "APPROVE", "reason", "Rotating before the release", "fingerprint", fingerprint));
		assertThat(decided.status()).as(decided.toString()).isEqualTo(403);
		assertThat(decided.contentType()).startsWith("application/problem+json");
		assertThat(decided.body()).contains("candidate-group");

		JsonNode response = call("GET", "/api/v1/responses/" + responseId, scannerToken(), null).json();
		assertThat(response.path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(response.path("decisions")).isEmpty();
		Reply ledger = call("GET", "/api/v1/audit?response=" + responseId,
				realm.passwordToken(CLIENT, CLIENT_SECRET, "audrey", PASSWORD), null);
		assertThat(ledger.status()).as(ledger.toString()).isEqualTo(200);
		List<JsonNode> refused = ledger.body()
			.lines()
			.filter(line -> !line.isBlank())
			.map(SingleSignOnIntegrationTest::json)
			.filter(entry -> "REFUSED".equals(entry.path("type").asText()))
			.toList();
		assertThat(refused).hasSize(1).allSatisfy(entry -> {
			assertThat(entry.path("actor").asText()).isEqualTo("paul");
			assertThat(entry.path("data").path("rule").asText()).isEqualTo("candidate-group");
		});
		JsonNode credential = call("GET", "/api/v1/identities/" + response.path("identity").asText(), scannerToken(),
				null)
			.json()
			.path("credentials")
			.get(0);
		assertThat(credential.path("currentVersion").asInt()).isEqualTo(1);
	}

	// --- helpers ---

	private void signInOnKeycloak(WebDriverWait wait, String username) {
		WebElement user = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
		assertThat(chromium.driver().getCurrentUrl()).startsWith(realm.issuer() + "/protocol/openid-connect/auth");
		user.sendKeys(username);
		chromium.driver().findElement(By.id("password")).sendKeys(PASSWORD);
		chromium.driver().findElement(By.id("kc-login")).click();
	}

	/** The form-js field whose label starts with {@code label}. */
	private static WebElement field(WebDriverWait wait, String label) {
		WebElement labelElement = wait.until(ExpectedConditions.presenceOfElementLocated(
				By.xpath("//form[contains(@class,'fjs-form')]//label[contains(@class,'fjs-form-field-label')][@for]"
						+ "[starts-with(normalize-space(), '" + label + "')]")));
		return chromium.driver().findElement(By.id(labelElement.getDomAttribute("for")));
	}

	private static void scrollIntoView(WebElement element) {
		((JavascriptExecutor) chromium.driver()).executeScript("arguments[0].scrollIntoView({block: 'center'});",
				element);
	}

	/** A same-origin request from the page, with the session cookie and the webapps' CSRF header, as Tasklist sends. */
	private long browserFetch(String method, String path) {
		Object status = ((JavascriptExecutor) chromium.driver()).executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				const xsrf = (document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/) || [])[1] || '';
				fetch(arguments[1], {method: arguments[0], credentials: 'same-origin',
						headers: {'X-XSRF-TOKEN': decodeURIComponent(xsrf), 'Accept': 'application/json'}})
					.then(r => done(r.status), e => done(-1));
				""", method, path);
		return ((Number) status).longValue();
	}

	private String startRotation() {
		String scanner = scannerToken();
		Reply started = call("POST", "/api/v1/responses", scanner, rotation(registerIdentity(scanner)));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private String scannerToken() {
		return realm.clientToken(SCANNER_CLIENT, SCANNER_SECRET);
	}

	/** A production identity with one API key, written-level: one platform owner approves its rotation. */
	private String registerIdentity(String scanner) {
		String identity = "svc-sso-" + UUID.randomUUID();
		String credential = "key-" + identity;
		Reply upsert = call("PUT", "/api/v1/identities/" + identity, scanner,
				Map.of("owner", "payments-team", "environment", "production", "privileges", List.of("repo:write"),
						"credentials", List.of(Map.of("id", credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 " + credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		return identity;
	}

	private static Map<String, Object> rotation(String identity) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", identity);
		body.put("credential", "key-" + identity);
		body.put("summary", "Key seen in a public gist");
		body.put("source", "gist-scanner");
		body.put("severity", "high");
		body.put("environment", "production");
		return body;
	}

	private JsonNode awaitStatus(String responseId, String status) {
		return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
			Reply reply = call("GET", "/api/v1/responses/" + responseId, scannerToken(), null);
			assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
			return reply.json();
		}, response -> status.equals(response.path("status").asText()));
	}

	record Reply(int status, String contentType, String body) {

		JsonNode json() {
			return SingleSignOnIntegrationTest.json(this.body);
		}

	}

	private Reply call(String method, String path, String bearer, Object body) {
		try {
			return send(method, path, "Bearer " + bearer, body == null ? null : JSON.writeValueAsString(body));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private Reply send(String method, String path, String authorization, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app(path))).timeout(Duration.ofSeconds(30));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		if (body == null) {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		else {
			request.header("Content-Type",
					body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded")
				.method(method, HttpRequest.BodyPublishers.ofString(body));
		}
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private String engine() {
		return this.processEngine.getName();
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + engine() + path;
	}

	private static String app(String path) {
		return "http://localhost:" + PORT + path;
	}

	private static JsonNode json(String text) {
		try {
			return JSON.readTree(text);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
