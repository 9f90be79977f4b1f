package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The context runs an engine with a generated name, so engine REST calls name it: {@code /engine-rest/task} would
 * look for an engine called "default". Webapp URLs name it for the same reason.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
		"camunda.bpm.generate-unique-process-engine-name=true", "camunda.bpm.job-execution.enabled=false",
		"camunda.bpm.admin-user.id=admin", "camunda.bpm.admin-user.password=admin", "countersign.demo.enabled=true" })
class SecurityIntegrationTest {

	private static final String PROBLEM_JSON = "application/problem+json";

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	@LocalServerPort
	private int port;

	@Autowired
	private ProcessEngine processEngine;

	@Autowired
	private IdentityService identityService;

	@Autowired
	private FilterService filterService;

	@Autowired
	private RepositoryService repositoryService;

	@Autowired
	private RuntimeService runtimeService;

	@Test
	void shouldRefuseAnonymousApiCallsWithProblemDetail() throws Exception {
		HttpResponse<String> response = send(get("/api/v1/responses"));

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"countersign\"");
		assertProblem(response, 401);
	}

	@Test
	void shouldRefuseWrongPasswordWithProblemDetail() throws Exception {
		// A failed login counts against this address's login throttle, never against dave's account.
		HttpResponse<String> response = send(get("/api/v1/responses", "dave", "not-dave"));

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"countersign\"");
		assertProblem(response, 401);
	}

	@Test
	void shouldRefuseUnknownUser() throws Exception {
		assertThat(send(get("/api/v1/responses", "mallory", "mallory")).statusCode()).isEqualTo(401);
	}

	@Test
	void shouldForbidIntegratorsToDecideResponses() throws Exception {
		HttpResponse<String> response = send(post("/api/v1/responses/x/decision", "scanner", "{}"));

		assertThat(response.statusCode()).isEqualTo(403);
		assertProblem(response, 403);
	}

	@Test
	void shouldForbidApproversToReportResponses() throws Exception {
		assertThat(send(post("/api/v1/responses", "alice", "{}")).statusCode()).isEqualTo(403);
	}

	@Test
	void shouldLetIntegratorsReportAndReadResponses() throws Exception {
		HttpResponse<String> list = send(get("/api/v1/responses", "scanner", "scanner"));

		// No controller exists yet: anything but 401/403 means Spring Security let the call through.
		assertThat(list.statusCode()).isNotIn(401, 403);
		assertThat(list.headers().allValues("Set-Cookie")).as("stateless, no session").isEmpty();
		assertThat(send(post("/api/v1/responses", "scanner", "{}")).statusCode()).isNotIn(401, 403);
		assertThat(send(get("/api/v1/responses/r-1", "scanner", "scanner")).statusCode()).isNotIn(401, 403);
	}

	@Test
	void shouldLetApproversDecideAndReadResponses() throws Exception {
		assertThat(send(post("/api/v1/responses/r-1/decision", "erin", "{}")).statusCode()).isNotIn(401, 403);
		assertThat(send(get("/api/v1/responses/r-1", "erin", "erin")).statusCode()).isNotIn(401, 403);
	}

	@Test
	void shouldLetOnlyIntegratorsAndAdminsWriteIdentities() throws Exception {
		assertThat(send(put("/api/v1/identities/svc-1", "scanner")).statusCode()).isNotIn(401, 403);
		assertThat(send(put("/api/v1/identities/svc-1", "admin")).statusCode()).isNotIn(401, 403);
		assertThat(send(put("/api/v1/identities/svc-1", "carol")).statusCode()).isEqualTo(403);
		assertThat(send(get("/api/v1/identities/svc-1", "carol", "carol")).statusCode()).isNotIn(401, 403);
	}

	@Test
	void shouldDenyApiEndpointsWithoutRuleEvenToAdmins() throws Exception {
		HttpResponse<String> response = send(get("/api/v1/no-rule-for-this", "admin", "admin"));

		assertThat(response.statusCode()).isEqualTo(403);
		assertProblem(response, 403);
	}

	@Test
	void shouldServeHealthAndApiDocsAnonymously() throws Exception {
		assertThat(send(get("/actuator/health")).statusCode()).isEqualTo(200);
		assertThat(send(get("/actuator/health/liveness")).statusCode()).isEqualTo(200);
		assertThat(send(get("/v3/api-docs")).statusCode()).isEqualTo(200);
		assertThat(send(get("/swagger-ui.html")).statusCode()).isNotIn(401, 403);
		assertThat(send(get("/swagger-ui/index.html")).statusCode()).isEqualTo(200);
	}

	@Test
	void shouldRestrictOtherActuatorEndpointsToAdmins() throws Exception {
		HttpResponse<String> scanner = send(get("/actuator/prometheus", "scanner", "scanner"));

		assertThat(scanner.statusCode()).isEqualTo(403);
		assertProblem(scanner, 403);
		assertThat(send(get("/actuator/prometheus")).statusCode()).isEqualTo(401);
		assertThat(send(get("/actuator/prometheus", "admin", "admin")).statusCode()).isEqualTo(200);
	}

	@Test
	void shouldRefuseAnonymousEngineRestCalls() throws Exception {
		assertThat(send(get("/engine-rest/task")).statusCode()).isEqualTo(401);
		assertThat(send(get(engineRest("/task"))).statusCode()).isEqualTo(401);
		assertThat(send(get("/engine-rest/engine")).statusCode()).isEqualTo(401);
	}

	@Test
	void shouldLetApproversQueryEngineTasks() throws Exception {
		HttpResponse<String> response = send(get(engineRest("/task"), "bob", "bob"));

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(response.body()).isArray()).isTrue();
	}

	@Test
	void shouldApplyEngineAuthorizationsToDeploymentsThroughEngineRest() throws Exception {
		String scannerDeployment = "scanner-" + UUID.randomUUID();
		String adminDeployment = "admin-" + UUID.randomUUID();

		HttpResponse<String> scanner = send(deployment(scannerDeployment, "scanner"));
		HttpResponse<String> admin = send(deployment(adminDeployment, "admin"));

		assertThat(scanner.statusCode()).isEqualTo(403);
		assertThat(this.repositoryService.createDeploymentQuery().deploymentName(scannerDeployment).count()).isZero();
		assertThat(admin.statusCode()).isEqualTo(200);
		assertThat(this.repositoryService.createDeploymentQuery().deploymentName(adminDeployment).count()).isOne();
	}

	@Test
	void shouldCreateDemoUsersInTheirGroups() {
		assertThat(groupsOf("alice")).containsExactly(Groups.SECOPS_ANALYSTS);
		assertThat(groupsOf("bob")).containsExactly(Groups.PLATFORM_OWNERS);
		assertThat(groupsOf("carol")).containsExactly(Groups.ACCESS_OWNERS);
		assertThat(groupsOf("dave")).containsExactly(Groups.SECURITY_LEADS);
		assertThat(groupsOf("erin")).containsExactly(Groups.AGENT_REVIEWERS);
		assertThat(groupsOf("scanner")).containsExactly(Groups.INTEGRATORS);
		assertThat(groupsOf("admin")).containsExactly(Groups.ADMIN);
	}

	@Test
	void shouldShareApprovalsFilterWithApproversOnly() throws Exception {
		HttpResponse<String> bob = send(get(engineRest("/filter?resourceType=Task"), "bob", "bob"));
		HttpResponse<String> scanner = send(get(engineRest("/filter?resourceType=Task"), "scanner", "scanner"));

		assertThat(bob.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(bob.body()).findValuesAsText("name")).contains(IdentityBootstrap.APPROVALS_FILTER);
		assertThat(scanner.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(scanner.body()).findValuesAsText("name"))
			.doesNotContain(IdentityBootstrap.APPROVALS_FILTER);
	}

	@Test
	void shouldShowCandidateGroupTasksInApprovalsFilter() throws Exception {
		String processKey = "FilterProbe" + UUID.randomUUID().toString().replace("-", "");
		this.repositoryService.createDeployment()
			.addModelInstance(processKey + ".bpmn", Bpmn.createExecutableProcess(processKey)
				.camundaHistoryTimeToLive(1)
				.startEvent()
				.userTask("Task_Approve")
				.camundaCandidateGroups(Groups.PLATFORM_OWNERS)
				.endEvent()
				.done())
			.deploy();
		String processInstanceId = this.runtimeService.startProcessInstanceByKey(processKey).getId();
		String filterId = this.filterService.createFilterQuery()
			.filterName(IdentityBootstrap.APPROVALS_FILTER)
			.singleResult()
			.getId();

		JsonNode bobTasks = tasksThroughFilter(filterId, "bob");
		JsonNode aliceTasks = tasksThroughFilter(filterId, "alice");

		assertThat(bobTasks.findValuesAsText("processInstanceId")).contains(processInstanceId);
		assertThat(aliceTasks.findValuesAsText("processInstanceId")).doesNotContain(processInstanceId);
	}

	@Test
	void shouldLeaveCamundaWebappsToTheirOwnLoginAndCsrfProtection() throws Exception {
		CookieManager cookies = new CookieManager();
		HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();
		String tasklist = "/camunda/app/tasklist/" + this.processEngine.getName() + "/";

		HttpResponse<String> page = browser.send(get(tasklist), BodyHandlers.ofString());
		String xsrfToken = cookies.getCookieStore()
			.getCookies()
			.stream()
			.filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
			.map(HttpCookie::getValue)
			.findFirst()
			.orElseThrow();
		HttpResponse<String> aliceLogin = browser.send(webappLogin("alice", xsrfToken), BodyHandlers.ofString());
		HttpResponse<String> scannerLogin = browser.send(webappLogin("scanner", xsrfToken), BodyHandlers.ofString());
		HttpResponse<String> forgedLogin = browser.send(webappLogin("alice", "forged"), BodyHandlers.ofString());

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("SAMEORIGIN");
		assertThat(page.headers().firstValue("WWW-Authenticate")).isEmpty();
		assertThat(aliceLogin.statusCode()).isEqualTo(200);
		// Authenticated, but integrators have no Tasklist access.
		assertThat(scannerLogin.statusCode()).isEqualTo(403);
		assertThat(forgedLogin.statusCode()).isEqualTo(403);
	}

	private JsonNode tasksThroughFilter(String filterId, String user) throws Exception {
		HttpResponse<String> response = send(get(engineRest("/filter/" + filterId + "/list"), user, user));
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private List<String> groupsOf(String userId) {
		return this.identityService.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
	}

	private void assertProblem(HttpResponse<String> response, int status) throws IOException {
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				contentType -> assertThat(contentType).startsWith(PROBLEM_JSON));
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		assertThat(problem.path("type").asText()).isNotEmpty();
		assertThat(problem.path("title").asText()).isNotEmpty();
		assertThat(problem.path("detail").asText()).isNotEmpty();
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return this.http.send(request, BodyHandlers.ofString());
	}

	private HttpRequest get(String path) {
		return HttpRequest.newBuilder(uri(path)).GET().build();
	}

	private HttpRequest get(String path, String user, String password) {
		return HttpRequest.newBuilder(uri(path)).header("Authorization", basic(user, password)).GET().build();
	}

	private HttpRequest post(String path, String user, String body) {
		return HttpRequest.newBuilder(uri(path))
			.header("Authorization", basic(user, user))
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(body))
			.build();
	}

	private HttpRequest put(String path, String user) {
		return HttpRequest.newBuilder(uri(path))
			.header("Authorization", basic(user, user))
			.header("Content-Type", "application/json")
			.PUT(BodyPublishers.ofString("{}"))
			.build();
	}

	private HttpRequest deployment(String name, String user) {
		String boundary = "countersign-" + UUID.randomUUID();
		String bpmn = Bpmn.convertToString(
				Bpmn.createExecutableProcess("Trivial").camundaHistoryTimeToLive(1).startEvent().endEvent().done());
		String body = "--" + boundary + "\r\n" + "Content-Disposition: form-data; name=\"deployment-name\"\r\n\r\n"
				+ name + "\r\n" + "--" + boundary + "\r\n"
				+ "Content-Disposition: form-data; name=\"data\"; filename=\"trivial.bpmn\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n" + bpmn + "\r\n" + "--" + boundary + "--\r\n";
		return HttpRequest.newBuilder(uri(engineRest("/deployment/create")))
			.header("Authorization", basic(user, user))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build();
	}

	private HttpRequest webappLogin(String user, String xsrfToken) {
		return HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/" + this.processEngine.getName() + "/login/tasklist"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("X-XSRF-TOKEN", xsrfToken)
			.POST(BodyPublishers.ofString("username=" + user + "&password=" + user))
			.build();
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder()
			.encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
