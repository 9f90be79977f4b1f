package io.countersign.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * With the allow-list on (the {@code prod} default), over real HTTP on both engine roots: what Tasklist and the
 * documented integrations call still works, and an operator's attempts to deploy, move a token, start at an inner
 * activity, rewrite a variable or correlate a message are answered 404 problem+json and change nothing.
 */
@HttpIntegrationTest
@TestPropertySource(properties = "countersign.engine-rest.allow-list=true")
@ExtendWith(OutputCaptureExtension.class)
class EngineRestAllowListIntegrationTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	/** A harmless diagram that engine-rest would deploy at once if the call got through. */
	private static final String DIAGRAM = """
			<?xml version="1.0" encoding="UTF-8"?>
			<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
			    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Planted"
			    targetNamespace="http://countersign.io/test">
			  <bpmn:process id="planted-by-operator" isExecutable="true" camunda:historyTimeToLive="P1D">
			    <bpmn:startEvent id="StartEvent_Planted" />
			  </bpmn:process>
			</bpmn:definitions>
			""";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	MeterRegistry meters;

	ApiClient api;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldServeAnAllowedCallOnEveryEngineRoot() throws Exception {
		// Test engines have unique names, so the default engine's root (/engine-rest/task) is tried in the prod test.
		Reply namedEngine = this.api.get("alice", engineRest() + "/task");
		Reply engines = this.api.get("alice", "/engine-rest/engine");
		Browser tasklist = Browser.loggedIn(this.port, engine(), "alice");
		HttpResponse<String> webappTasks = tasklist.get("/camunda/api/engine/engine/" + engine() + "/task");
		HttpResponse<String> webappEngines = tasklist.get("/camunda/api/engine/engine/");

		assertThat(namedEngine.status()).as(namedEngine.toString()).isEqualTo(200);
		assertThat(namedEngine.json().isArray()).isTrue();
		assertThat(engines.json().findValuesAsText("name")).contains(engine());
		assertThat(webappTasks.statusCode()).as(webappTasks.body()).isEqualTo(200);
		assertThat(MAPPER.readTree(webappTasks.body()).isArray()).isTrue();
		assertThat(webappEngines.statusCode()).as(webappEngines.body()).isEqualTo(200);
	}

	@Test
	void shouldCompleteAnApprovalThroughEngineRestWithTheAllowListOn() {
		String responseId = this.api.rotationAwaitingApproval("svc-allowlist");
		String fingerprint = this.api.get("bob", "/api/v1/responses/" + responseId)
			.json()
			.path("stagedAction")
			.path("fingerprint")
			.asText();
		Reply tasks = this.api.get("bob", engineRest() + "/task?processInstanceBusinessKey=" + responseId);
		assertThat(tasks.json()).as(tasks.toString()).hasSize(1);
		String taskId = tasks.json().get(0).path("id").asText();

		Reply form = this.api.get("bob", engineRest() + "/task/" + taskId + "/form-variables");
		Reply claimed = this.api.post("bob", engineRest() + "/task/" + taskId + "/claim", Map.of("userId", "bob"));
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put("decision", Map.of("value", "APPROVE"));
		variables.put("reason", Map.of("value", "Rotate now; consumers are ready"));
		variables.put("approvedFingerprint", Map.of("value", fingerprint));
		Reply completed = this.api.post("bob", engineRest() + "/task/" + taskId + "/complete",
				Map.of("variables", variables));

		assertThat(form.status()).as(form.toString()).isEqualTo(200);
		assertThat(claimed.status()).as(claimed.toString()).isEqualTo(204);
		assertThat(completed.status()).as(completed.toString()).isEqualTo(204);
		JsonNode done = this.api.awaitResponseStatus("scanner", responseId, "COMPLETED");
		assertThat(done.path("decisions").findValuesAsText("approver")).containsExactly("bob");
	}

	@Test
	void shouldRefuseADeploymentOnEveryRootAndDeployNothing() throws Exception {
		long before = this.processEngine.getRepositoryService().createDeploymentQuery().count();
		String boundary = "countersign-test-boundary";
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\nplanted\r\n"
				+ "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"planted.bpmn\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n" + DIAGRAM + "\r\n--" + boundary + "--\r\n";
		Map<String, String> multipart = Map.of("Content-Type", "multipart/form-data; boundary=" + boundary);

		Reply direct = this.api.send("admin", "POST", "/engine-rest/deployment/create", body, multipart);
		Reply named = this.api.send("admin", "POST", "/engine-rest/engine/" + engine() + "/deployment/create", body,
				multipart);
		// Tomcat decodes %64 to "d" when it picks the servlet, and so does engine-rest when it routes.
		Reply encoded = this.api.send("admin", "POST", "/engine-rest/%64eployment/create", body, multipart);
		HttpResponse<String> webapp = Browser.loggedIn(this.port, engine(), "admin")
			.post("/camunda/api/engine/engine/" + engine() + "/deployment/create", body, multipart.get("Content-Type"));

		assertRefused(direct);
		assertRefused(named);
		assertRefused(encoded);
		assertRefused(webapp);
		assertThat(this.processEngine.getRepositoryService().createDeploymentQuery().count()).isEqualTo(before);
		assertThat(this.processEngine.getRepositoryService()
			.createProcessDefinitionQuery()
			.processDefinitionKey("planted-by-operator")
			.count()).isZero();
	}

	@Test
	void shouldRefuseAModificationOnEveryRootAndMoveNoToken() throws Exception {
		ProcessInstance gate = gateOf(this.api.rotationAwaitingApproval("svc-allowlist-modify"));
		RuntimeService runtime = this.processEngine.getRuntimeService();
		List<String> before = runtime.getActiveActivityIds(gate.getId());
		assertThat(before).contains("Task_Approve");
		// Skip the approval: start the receipt step and cancel the waiting task.
		String body = """
				{"skipCustomListeners": true, "instructions": [
				  {"type": "startBeforeActivity", "activityId": "Task_IssueReceipt"},
				  {"type": "cancel", "activityId": "Task_Approve"}]}""";

		Reply direct = this.api.post("admin", "/engine-rest/process-instance/" + gate.getId() + "/modification", body);
		HttpResponse<String> webapp = Browser.loggedIn(this.port, engine(), "admin")
			.post("/camunda/api/engine/engine/" + engine() + "/process-instance/" + gate.getId() + "/modification", body,
					"application/json");

		assertRefused(direct);
		assertRefused(webapp);
		assertThat(runtime.getActiveActivityIds(gate.getId())).containsExactlyInAnyOrderElementsOf(before);
	}

	@Test
	void shouldRefuseAStartAtAnInnerActivityAndStartNothing() {
		long before = instancesOf("secret-rotation");
		String body = """
				{"businessKey": "operator-shortcut", "skipCustomListeners": true,
				 "startInstructions": [{"type": "startBeforeActivity", "activityId": "Task_ApplyRotation"}]}""";

		Reply started = this.api.post("admin", "/engine-rest/process-definition/key/secret-rotation/start", body);

		assertRefused(started);
		assertThat(instancesOf("secret-rotation")).isEqualTo(before);
		assertThat(this.processEngine.getRuntimeService()
			.createProcessInstanceQuery()
			.processInstanceBusinessKey("operator-shortcut")
			.count()).isZero();
	}

	@Test
	void shouldRefuseAVariableWriteAndKeepTheVariable() {
		ProcessInstance gate = gateOf(this.api.rotationAwaitingApproval("svc-allowlist-variable"));
		Object before = this.processEngine.getRuntimeService().getVariable(gate.getId(), "policyRule");
		assertThat(before).isNotNull();

		Reply written = this.api.put("admin", "/engine-rest/process-instance/" + gate.getId() + "/variables/policyRule",
				Map.of("value", "rewritten-by-operator", "type", "String"));
		Reply modified = this.api.post("admin", "/engine-rest/process-instance/" + gate.getId() + "/variables",
				Map.of("modifications", Map.of("policyRule", Map.of("value", "rewritten-by-operator"))));

		assertRefused(written);
		assertRefused(modified);
		assertThat(this.processEngine.getRuntimeService().getVariable(gate.getId(), "policyRule")).isEqualTo(before);
	}

	@Test
	void shouldRefuseAMessageBeforeTheEngineSeesIt() {
		Reply correlated = this.api.post("admin", "/engine-rest/message",
				Map.of("messageName", "Message_RevokeAccess", "all", true));

		// Engine-rest itself would answer 400 "No process definition or execution matches": this is ours.
		assertRefused(correlated);
	}

	@Test
	void shouldAnswerAnAnonymousCaller401AsBefore() {
		Reply anonymous = this.api.send(null, "POST", "/engine-rest/message", Map.of("messageName", "x"), Map.of());

		assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
	}

	@Test
	void shouldLogAndCountARefusalOnceWithItsCallerAndWithoutItsBody(CapturedOutput output) {
		String secret = "body-marker-" + System.nanoTime();
		double countedBefore = refusals();

		Reply refused = this.api.post("admin", "/engine-rest/signal?name=" + secret,
				Map.of("name", "Signal_Planted", "variables", Map.of("secret", Map.of("value", secret))));

		assertRefused(refused);
		List<String> lines = output.getAll()
			.lines()
			.filter(line -> line.contains("Engine-rest call refused") && line.contains("/engine-rest/signal"))
			.toList();
		assertThat(lines).hasSize(1);
		assertThat(lines.get(0)).contains("WARN").contains("POST").contains("by admin");
		assertThat(output.getAll()).doesNotContain(secret);
		assertThat(refusals()).isEqualTo(countedBefore + 1);
	}

	private double refusals() {
		return this.meters.get("countersign.engine.rest.refused").counter().count();
	}

	private static void assertRefused(Reply reply) {
		assertRefused(reply.status(), reply.contentType(), reply.body());
	}

	private static void assertRefused(HttpResponse<String> response) {
		assertRefused(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
	}

	private static void assertRefused(int status, String contentType, String body) {
		assertThat(status).as(body).isEqualTo(404);
		assertThat(contentType).startsWith("application/problem+json");
		try {
			JsonNode problem = MAPPER.readTree(body);
			assertThat(problem.path("type").asText()).isEqualTo("urn:countersign:problem:engine-rest-endpoint-not-available");
			assertThat(problem.path("title").asText()).isEqualTo("Endpoint not available in this deployment");
			assertThat(problem.path("status").asInt()).isEqualTo(404);
			assertThat(problem.path("detail").asText()).contains("docs/engine-rest.md");
		}
		catch (IOException ex) {
			throw new IllegalStateException(body, ex);
		}
	}

	private ProcessInstance gateOf(String responseId) {
		return this.processEngine.getRuntimeService()
			.createProcessInstanceQuery()
			.processInstanceBusinessKey(responseId)
			.processDefinitionKey("approval-gate")
			.singleResult();
	}

	private long instancesOf(String processDefinitionKey) {
		return this.processEngine.getHistoryService()
			.createHistoricProcessInstanceQuery()
			.processDefinitionKey(processDefinitionKey)
			.count();
	}

	private String engine() {
		return this.processEngine.getName();
	}

	private String engineRest() {
		return "/engine-rest/engine/" + engine();
	}

	/** A webapp session, logged in through Tasklist's login form, with the XSRF token every write must carry. */
	record Browser(HttpClient http, String baseUrl, String xsrfToken) {

		static Browser loggedIn(int port, String engine, String user) throws IOException, InterruptedException {
			CookieManager cookies = new CookieManager();
			HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
			String baseUrl = "http://localhost:" + port;
			http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/camunda/app/tasklist/" + engine + "/")).build(),
					BodyHandlers.ofString());
			HttpResponse<String> login = http.send(HttpRequest
				.newBuilder(URI.create(baseUrl + "/camunda/api/admin/auth/user/" + engine + "/login/tasklist"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.header("X-XSRF-TOKEN", ApiClient.xsrfToken(cookies))
				.POST(BodyPublishers.ofString("username=" + user + "&password=" + user))
				.build(), BodyHandlers.ofString());
			assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
			return new Browser(http, baseUrl, ApiClient.xsrfToken(cookies));
		}

		HttpResponse<String> get(String path) throws IOException, InterruptedException {
			return this.http.send(HttpRequest.newBuilder(URI.create(this.baseUrl + path))
				.header("Accept", "application/json")
				.build(), BodyHandlers.ofString());
		}

		HttpResponse<String> post(String path, String body, String contentType) throws IOException,
				InterruptedException {
			return this.http.send(HttpRequest.newBuilder(URI.create(this.baseUrl + path))
				.header("Content-Type", contentType)
				.header("X-XSRF-TOKEN", this.xsrfToken)
				.POST(BodyPublishers.ofString(body))
				.build(), BodyHandlers.ofString());
		}

	}

}
