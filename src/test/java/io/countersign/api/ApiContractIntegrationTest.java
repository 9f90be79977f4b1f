package io.countersign.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.ApplicationProcess;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The API as an integrator meets it: an OpenAPI document a client can be generated from, problem+json for every error
 * under {@code /api/**} whoever produces it (controller, Spring MVC, Spring Security's firewall, Tomcat), the API's
 * own field names in errors, one WARN line for a refused approver on every channel, and long-polls answered at once
 * when the process is told to stop.
 */
@HttpIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class ApiContractIntegrationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String PROBLEM_JSON = "application/problem+json";

	/** Client generators name methods after these; renaming one breaks every generated client. */
	private static final Map<String, String> OPERATION_IDS = new TreeMap<>(Map.ofEntries(
			Map.entry("POST /api/v1/responses", "startResponse"),
			Map.entry("GET /api/v1/responses", "listResponses"),
			Map.entry("GET /api/v1/responses/{id}", "getResponse"),
			Map.entry("POST /api/v1/responses/{id}/decision", "decide"),
			Map.entry("PUT /api/v1/identities/{id}", "putIdentity"),
			Map.entry("GET /api/v1/identities/{id}", "getIdentity"),
			Map.entry("POST /api/v1/agent-actions", "requestAgentAction"),
			Map.entry("GET /api/v1/agent-actions/{id}", "getAgentAction"),
			Map.entry("POST /api/v1/agent-actions/{id}/revocation", "revokeAgentAction"),
			Map.entry("POST /api/v1/agent-actions/{id}/uses", "reportAgentActionUse"),
			Map.entry("GET /api/v1/agent-grants", "listAgentGrants"),
			Map.entry("GET /api/v1/agent-grants/{id}", "getAgentGrant"),
			Map.entry("DELETE /api/v1/agent-grants/{id}", "revokeAgentGrant"),
			Map.entry("GET /api/v1/targets", "listTargets"),
			Map.entry("POST /api/v1/targets/{name}/sync", "syncTarget"),
			Map.entry("POST /api/v1/model-changes", "submitModelChange"),
			Map.entry("GET /api/v1/model-changes/{id}", "getModelChange"),
			Map.entry("GET /api/v1/audit", "exportAudit"),
			Map.entry("GET /api/v1/audit/verify", "verifyAudit"),
			Map.entry("GET /api/v1/audit/checkpoints", "listCheckpoints")));

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mappings;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void shouldDescribeEveryApiOperationForClientGenerators() throws Exception {
		Reply reply = new ApiClient(this.port).get(null, "/v3/api-docs");
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		JsonNode docs = reply.json();

		assertThat(docs.at("/info/title").asText()).isEqualTo("Countersign");
		assertThat(docs.at("/info/version").asText()).isEqualTo(projectVersion());
		assertThat(docs.at("/components/securitySchemes/basicAuth/type").asText()).isEqualTo("http");
		assertThat(docs.at("/components/securitySchemes/basicAuth/scheme").asText()).isEqualTo("basic");
		assertThat(docs.at("/components/securitySchemes/bearerAuth/scheme").asText()).isEqualTo("bearer");
		assertThat(docs.at("/components/securitySchemes/bearerAuth/bearerFormat").asText()).isEqualTo("JWT");
		List<String> required = new ArrayList<>();
		docs.path("security").forEach(requirement -> requirement.fieldNames().forEachRemaining(required::add));
		assertThat(required).containsExactlyInAnyOrder("basicAuth", "bearerAuth");
		assertThat(docs.at("/components/schemas/Problem/properties").has("detail")).isTrue();
		List<String> references = docs.findValuesAsText("$ref");
		assertThat(references).isNotEmpty().allSatisfy(reference -> assertThat(
				docs.at(reference.substring(1)).isMissingNode()).as("%s is defined", reference).isFalse());

		Map<String, String> documented = new TreeMap<>();
		Set<String> ids = new HashSet<>();
		docs.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
			String operation = entry.getKey().toUpperCase() + " " + path.getKey();
			JsonNode op = entry.getValue();
			String id = op.path("operationId").asText();
			documented.put(operation, id);
			assertThat(ids.add(id)).as("operationId %s of %s is unique", id, operation).isTrue();
			assertThat(op.path("summary").asText()).as("summary of %s", operation).isNotBlank();
			JsonNode responses = op.path("responses");
			assertThat(responses.has("401") && responses.has("403")).as("401 and 403 of %s", operation).isTrue();
			if (op.has("requestBody")) {
				assertThat(responses.has("400") && responses.has("415")).as("400 and 415 of %s", operation).isTrue();
			}
			responses.fields().forEachRemaining(response -> {
				JsonNode content = response.getValue().path("content");
				if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
					assertThat(iterable(content.fieldNames())).as("%s of %s", response.getKey(), operation)
						.containsExactly(PROBLEM_JSON);
					assertThat(content.at("/" + PROBLEM_JSON.replace("/", "~1") + "/schema/$ref").asText())
						.isEqualTo("#/components/schemas/Problem");
				}
				else {
					assertThat(iterable(content.fieldNames())).as("%s of %s", response.getKey(), operation)
						.doesNotContain("*/*", PROBLEM_JSON);
				}
			});
		}));
		assertThat(documented).isEqualTo(OPERATION_IDS);

		// Nothing the server answers under /api is missing from the document.
		Set<String> served = new HashSet<>();
		this.mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternValues().stream()
			.filter(pattern -> pattern.startsWith("/api/"))
			.forEach(pattern -> info.getMethodsCondition().getMethods()
				.forEach(method -> served.add(method.name() + " " + pattern))));
		assertThat(documented.keySet()).containsAll(served);

		JsonNode start = docs.at("/paths/~1api~1v1~1responses/post/responses");
		assertThat(start.at("/202/content/application~1json/schema/$ref").asText())
			.isEqualTo("#/components/schemas/ResponseAccepted");
		assertThat(start.at("/200/content/application~1json/schema/$ref").asText())
			.isEqualTo("#/components/schemas/ResponseAccepted");
		assertThat(start.has("409") && start.has("422")).isTrue();
		// The export writes JSON lines whatever Accept says; every JSON operation can be asked for something else.
		assertThat(docs.at("/paths/~1api~1v1~1audit/get/responses").has("406")).isFalse();
		assertThat(docs.at("/paths/~1api~1v1~1responses~1{id}/get/responses").has("406")).isTrue();
		JsonNode export = docs.at("/paths/~1api~1v1~1audit/get/responses/200/content");
		assertThat(iterable(export.fieldNames())).containsExactly("application/x-ndjson");
		assertThat(export.at("/application~1x-ndjson/schema/$ref").asText())
			.isEqualTo("#/components/schemas/LedgerEntry");
		assertThat(docs.at("/paths/~1api~1v1~1agent-actions~1{id}/get/responses/200/content/application~1json/schema/$ref")
			.asText()).isEqualTo("#/components/schemas/AgentActionView");
		assertThat(docs.at("/paths/~1api~1v1~1agent-actions/post/requestBody/content/application~1json/schema/$ref")
			.asText()).isEqualTo("#/components/schemas/AgentActionRequest");
		assertThat(docs.at("/components/schemas/AgentActionAccepted/properties").has("receipt")).isTrue();
	}

	@Test
	void shouldAnswerEveryErrorUnderApiWithProblemJson() throws Exception {
		record Case(String user, String method, String path, String contentType, String accept, String body,
				int status) {
		}
		String someId = "00000000-0000-0000-0000-000000000000";
		List<Case> cases = List.of(
				// Under an access rule but no operation: Spring MVC's 404.
				new Case("scanner", "GET", "/api/v1/responses/" + someId + "/nothing", null, null, null, 404),
				// Outside every access rule: refused before anything looks (fail closed).
				new Case("scanner", "GET", "/api/v1/nothing", null, null, null, 403),
				new Case(null, "GET", "/api/v1/nothing", null, null, null, 401),
				new Case("bob", "GET", "/api/v1/responses/" + someId + "/decision", null, null, null, 405),
				new Case("scanner", "POST", "/api/v1/responses", "text/plain", null, "{}", 415),
				new Case("scanner", "GET", "/api/v1/responses", null, "application/xml", null, 406),
				new Case("scanner", "GET", "/api/v1/responses?page=first", null, null, null, 400),
				// The firewall's refusals: an unknown method, TRACE (Tomcat's 405), a path that is not normalized.
				new Case("scanner", "FOO", "/api/v1/responses", null, null, null, 400),
				new Case("scanner", "TRACE", "/api/v1/responses", null, null, null, 405),
				new Case("scanner", "GET", "/api/v1/../v1/responses", null, null, null, 400),
				new Case("scanner", "GET", "//api/v1/responses", null, null, null, 400),
				new Case("scanner", "GET", "/api/v1/responses;x=y", null, null, null, 400),
				// A filter of ours refuses it before Spring MVC runs.
				new Case("scanner", "POST", "/api/v1/responses", "application/json", null,
						"{\"summary\":\"" + "x".repeat(300 * 1024) + "\"}", 413));
		for (Case c : cases) {
			HttpResponse<String> answer = send(c.user(), c.method(), c.path(), c.contentType(), c.accept(), c.body());
			String described = c.method() + " " + c.path() + " -> " + answer.statusCode() + " "
					+ answer.headers().firstValue("Content-Type").orElse("") + " " + answer.body();
			assertThat(answer.statusCode()).as(described).isEqualTo(c.status());
			assertThat(answer.headers().firstValue("Content-Type").orElse("")).as(described).startsWith(PROBLEM_JSON);
			JsonNode problem = JSON.readTree(answer.body());
			assertThat(problem.path("status").asInt()).as(described).isEqualTo(c.status());
			assertThat(problem.path("title").asText()).as(described).isNotBlank();
			assertThat(problem.path("detail").asText()).as(described).isNotBlank();
			if (c.status() == 405) {
				assertThat(answer.headers().firstValue("Allow")).as(described).isPresent();
			}
			if (c.path().contains("page=")) {
				assertThat(problem.path("field").asText()).as(described).isEqualTo("page");
			}
		}
	}

	@Test
	void shouldNameDecisionFieldsAsTheApiDoes() {
		ApiClient api = new ApiClient(this.port);
		String id = api.rotationAwaitingApproval("svc-contract-fields");

		Reply missing = api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "looks right"));
		Reply wrong = api.post("bob", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "APPROVE", "reason", "looks right", "fingerprint", "sha256:00"));
		Reply mistyped = api.post("bob", "/api/v1/responses/" + id + "/decision",
				"{\"decision\":\"APPROVE\",\"reason\":\"looks right\",\"fingerprint\":12}");

		for (Reply reply : List.of(missing, wrong, mistyped)) {
			assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
			assertThat(reply.contentType()).startsWith(PROBLEM_JSON);
			assertThat(reply.json().path("field").asText()).as(reply.toString()).isEqualTo("fingerprint");
			assertThat(reply.json().path("detail").asText()).as(reply.toString())
				.contains("fingerprint")
				.doesNotContain("approvedFingerprint");
		}
		assertThat(missing.json().path("rule").asText()).isEqualTo("fingerprint-match");
		assertThat(wrong.json().path("rule").asText()).isEqualTo("fingerprint-match");
	}

	@Test
	void shouldLogRefusedApproverAsOneWarningOnEveryChannel(CapturedOutput output) throws Exception {
		ApiClient api = new ApiClient(this.port);
		String id = api.rotationAwaitingApproval("svc-contract-logging");
		String engine = this.processEngine.getName();
		String task = api.get("bob", "/engine-rest/engine/" + engine + "/task?processInstanceBusinessKey=" + id)
			.json()
			.get(0)
			.path("id")
			.asText();
		Map<String, Object> rejectVariables = Map.of("variables",
				Map.of("decision", Map.of("value", "REJECT"), "reason", Map.of("value", "not my call")));
		HttpClient tasklist = loginToTasklist(engine, "admin");
		int before = output.getAll().length();

		// admin sees every task but is not in the group the policy named: the gate refuses on each channel.
		Reply viaApi = api.post("admin", "/api/v1/responses/" + id + "/decision",
				Map.of("decision", "REJECT", "reason", "not my call"));
		Reply viaEngineRest = api.post("admin", "/engine-rest/engine/" + engine + "/task/" + task + "/complete",
				rejectVariables);
		HttpResponse<String> viaTasklist = tasklist.send(
				webappPost(tasklist, "/camunda/api/engine/engine/" + engine + "/task/" + task + "/submit-form",
						JSON.writeValueAsString(rejectVariables)),
				BodyHandlers.ofString());

		assertThat(viaApi.status()).as(viaApi.toString()).isEqualTo(403);
		assertThat(viaApi.json().path("rule").asText()).isEqualTo("candidate-group");
		assertThat(viaEngineRest.status()).as(viaEngineRest.toString()).isEqualTo(403);
		assertThat(viaTasklist.statusCode()).as(viaTasklist.body()).isEqualTo(403);
		String logged = output.getAll().substring(before);
		assertThat(logged).doesNotContain("ENGINE-16004").doesNotContain("\tat ");
		assertThat(logged.lines().filter(line -> line.contains(" ERROR "))).as(logged).isEmpty();
		assertThat(logged.lines().filter(line -> line.contains(" WARN ") && line.contains("'candidate-group'")))
			.as(logged)
			.hasSize(3);
	}

	/**
	 * A real process told to stop as an orchestrator does (SIGTERM): an agent waiting for a decision gets the
	 * action's current state at once instead of a cut connection, and the process is gone within 10 s.
	 */
	@Test
	void shouldAnswerWaitingLongPollsAndStopWithinTenSecondsOnSigterm() throws Exception {
		Path directory = ApplicationProcess.temporaryDirectory("countersign-sigterm-");
		try (ApplicationProcess application = ApplicationProcess.start(directory, Map.of(), List.of())) {
			ApiClient api = application.api();
			Reply asked = api.post("research-bot", "/api/v1/agent-actions", BadInputFixture.agentBody());
			assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
			assertThat(asked.json().path("status").asText()).isEqualTo("PENDING");
			String action = asked.json().path("id").asText();
			CompletableFuture<Reply> waiting = CompletableFuture
				.supplyAsync(() -> api.get("research-bot", "/api/v1/agent-actions/" + action + "?waitSeconds=60"));
			// Long enough for the request to be waiting on a local connection; the log below proves it was.
			Thread.sleep(3000);
			assertThat(waiting).as("still waiting before the signal").isNotDone();

			long signalled = System.nanoTime();
			application.terminate();
			Reply answered = waiting.get(5, TimeUnit.SECONDS);
			boolean exited = application.awaitExit(Duration.ofSeconds(10));
			Duration stopped = Duration.ofNanos(System.nanoTime() - signalled);

			assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
			assertThat(answered.json().path("id").asText()).isEqualTo(action);
			assertThat(answered.json().path("status").asText()).isEqualTo("PENDING");
			assertThat(exited).as("exited %s after SIGTERM:\n%s", stopped, application.logTail()).isTrue();
			assertThat(application.log()).contains("answering 1 waiting agent(s)");
		}
		ApplicationProcess.deleteDirectory(directory);
	}

	// ---- helpers ------------------------------------------------------------------------------------------

	private HttpResponse<String> send(String user, String method, String path, String contentType, String accept,
			String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
		if (user != null) {
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
		}
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (accept != null) {
			request.header("Accept", accept);
		}
		return this.http.send(request.build(), BodyHandlers.ofString());
	}

	/** A Tasklist session, as a browser holds it: the session cookie and its CSRF token. */
	private HttpClient loginToTasklist(String engine, String user) throws Exception {
		CookieManager cookies = new CookieManager();
		HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();
		String base = "http://localhost:" + this.port;
		browser.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/" + engine + "/")).build(),
				BodyHandlers.ofString());
		HttpResponse<String> login = browser.send(HttpRequest
			.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/" + engine + "/login/tasklist"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("X-XSRF-TOKEN", ApiClient.xsrfToken(cookies))
			.POST(BodyPublishers.ofString("username=" + user + "&password=" + user))
			.build(), BodyHandlers.ofString());
		assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
		// The login starts a new session, whose CSRF token the next page load hands out.
		browser.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/" + engine + "/")).build(),
				BodyHandlers.ofString());
		return browser;
	}

	private HttpRequest webappPost(HttpClient browser, String path, String body) {
		CookieManager cookies = (CookieManager) browser.cookieHandler().orElseThrow();
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.header("X-XSRF-TOKEN", ApiClient.xsrfToken(cookies))
			.POST(BodyPublishers.ofString(body))
			.build();
	}

	/** The version in pom.xml, which the build writes into build-info and the document must state. */
	private static String projectVersion() throws Exception {
		String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
		Matcher version = Pattern.compile("<artifactId>countersign</artifactId>\\s*<version>([^<]+)</version>")
			.matcher(pom);
		assertThat(version.find()).as("project version in pom.xml").isTrue();
		return version.group(1);
	}

	private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
		List<T> list = new ArrayList<>();
		iterator.forEachRemaining(list::add);
		return list;
	}

}
