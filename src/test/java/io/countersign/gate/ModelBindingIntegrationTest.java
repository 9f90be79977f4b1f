package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.ModelSet;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An administrator deploys models while responses run, through engine-rest as the embedded default allows. A running
 * response keeps the playbook, guarded action, gate and policies it started with, and records which ones decided; a
 * response started afterwards runs the latest complete set; a deployment that is not a complete set changes nobody's
 * gate (docs/adr/0002-model-binding.md).
 */
@HttpIntegrationTest
class ModelBindingIntegrationTest {

	private static final String WEAKER_TASK_NAME = "Weaker gate: ";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	private ApiClient api;

	/** The auto-deployment of the shipped models, which every response here starts under. */
	private String shippedDeployment;

	private final List<String> deployments = new ArrayList<>();

	/** The identity of the last privilege reduction started. */
	private String reductionIdentity;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		this.shippedDeployment = latest("secret-rotation").getDeploymentId();
	}

	@AfterEach
	void removeDeployments() {
		this.deployments.forEach(id -> this.processEngine.getRepositoryService().deleteDeployment(id, true));
	}

	@Test
	void shouldKeepRunningResponsesOnTheirModelsWhenAWeakerCompleteSetIsDeployed() {
		String rotation = this.api.startRotation("svc-binding", "critical");
		JsonNode before = awaitApprovals(rotation, 1).get(0);
		assertThat(before.path("requiredApprovals").asInt()).isEqualTo(2);
		String shippedPolicy = policy(this.shippedDeployment).getId();
		assertThat(before.path("policyVersion").asText()).isEqualTo(shippedPolicy);
		String reduction = startReduction();
		assertThat(awaitApprovals(reduction, 1).get(0).path("requiredApprovals").asInt()).isEqualTo(2);

		String weaker = deploy(ModelSet.shipped()
			.with("approval-policy.dmn", quorumOfOne(ModelSet.shipped().content("approval-policy.dmn")))
			.with("approval-gate.bpmn", weakerGate(ModelSet.shipped().content("approval-gate.bpmn"))));
		assertThat(latest("secret-rotation").getDeploymentId()).isEqualTo(weaker);

		// The running rotation still needs its two platform owners, under the policy it was opened with.
		decide("bob", rotation, Map.of());
		JsonNode halfway = awaitApprovals(rotation, 1).get(0);
		assertThat(halfway.path("requiredApprovals").asInt()).isEqualTo(2);
		assertThat(halfway.path("policyVersion").asText()).isEqualTo(shippedPolicy);
		assertThat(this.api.get("scanner", "/api/v1/responses/" + rotation).json().path("status").asText())
			.isEqualTo("AWAITING_APPROVAL");
		assertThat(gate(rotation).getProcessDefinitionId()).isEqualTo(definitionIn(this.shippedDeployment,
				ApprovalGateProcess.PROCESS_KEY));
		decide("paul", rotation, Map.of());
		this.api.awaitResponseStatus("scanner", rotation, "COMPLETED");

		// The running reduction calls the guarded action and the gate again after a narrowing: the shipped ones.
		decide("carol", reduction, Map.of("decision", "NARROW", "narrowedTo", List.of("iam:admin")));
		JsonNode narrowed = awaitApprovals(reduction, 2).get(1);
		assertThat(narrowed.path("requiredApprovals").asInt()).isEqualTo(2);
		assertThat(narrowed.path("policyVersion").asText()).isEqualTo(shippedPolicy);
		assertThat(approvalTask(reduction).getName()).doesNotStartWith(WEAKER_TASK_NAME);
		JsonNode models = modelsOf(reduction, narrowed.path("id").asText());
		assertThat(models.path("deployment").asText()).isEqualTo(this.shippedDeployment);
		assertThat(models.path("processes")).extracting(process -> process.path("key").asText())
			.containsExactly("privilege-reduction", "guarded-action", "approval-gate");
		assertThat(models.path("processes")).allSatisfy(process -> {
			assertThat(process.path("deployment").asText()).isEqualTo(this.shippedDeployment);
			assertThat(process.path("id").asText())
				.isEqualTo(definitionIn(this.shippedDeployment, process.path("key").asText()));
			assertThat(process.path("version").asInt()).isPositive();
		});

		// A response started now runs the new set: its gate, its policy, and it says so.
		String later = this.api.startRotation("svc-binding", "critical");
		JsonNode after = awaitApprovals(later, 1).get(0);
		assertThat(after.path("requiredApprovals").asInt()).isEqualTo(1);
		assertThat(after.path("policyVersion").asText()).isEqualTo(policy(weaker).getId())
			.isNotEqualTo(shippedPolicy);
		assertThat(approvalTask(later).getName()).startsWith(WEAKER_TASK_NAME);
		JsonNode laterModels = modelsOf(later, after.path("id").asText());
		assertThat(laterModels.path("deployment").asText()).isEqualTo(weaker);
		assertThat(laterModels.path("processes")).extracting(process -> process.path("id").asText())
			.containsExactly(definitionIn(weaker, "secret-rotation"), definitionIn(weaker, "guarded-action"),
					definitionIn(weaker, ApprovalGateProcess.PROCESS_KEY));
	}

	@Test
	void shouldRaiseAJoinedRequestByThePolicyItWasOpenedUnderWhenAWeakerOneIsDeployed() {
		String identity = "svc-binding-" + UUID.randomUUID();
		String token = "token-" + identity;
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + identity, Map.of("owner", "team-it",
				"environment", "production", "privilegeLevel", "write", "privileges", List.of("repo:write"),
				"credentials", List.of(Map.of("id", token, "kind", "ACCESS_TOKEN", "fingerprint",
						StagedAction.sha256("v1 " + token)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Reply started = this.api.post("scanner", "/api/v1/responses", detection(identity, token, "high"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String rotation = started.json().path("id").asText();
		JsonNode opened = awaitApprovals(rotation, 1).get(0);
		assertThat(opened.path("requiredApprovals").asInt()).isOne();

		deploy(ModelSet.shipped()
			.with("approval-policy.dmn", quorumOfOne(ModelSet.shipped().content("approval-policy.dmn"))));
		Reply joined = this.api.post("scanner", "/api/v1/responses", detection(identity, token, "critical"));
		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);

		// The shipped policy asks two platform owners for a critical production rotation; the new one would not.
		JsonNode raised = this.api.get("scanner", "/api/v1/responses/" + rotation).json().path("approvals").get(0);
		assertThat(raised.path("requiredApprovals").asInt()).isEqualTo(2);
		assertThat(raised.path("policyRule").asText()).isEqualTo("rotate-production-critical");
		assertThat(ApiClient.jsonLines(this.api.get("scanner", "/api/v1/audit?response=" + rotation)))
			.filteredOn(entry -> entry.path("type").asText().equals("POLICY_RAISED"))
			.singleElement()
			.satisfies(entry -> assertThat(entry.path("data").path("policyVersion").asText())
				.isEqualTo(opened.path("policyVersion").asText()));
	}

	@Test
	void shouldNotRunAGateDeployedWithoutTheRestOfItsSet() {
		String reduction = startReduction();
		awaitApprovals(reduction, 1);
		String shippedGate = definitionIn(this.shippedDeployment, ApprovalGateProcess.PROCESS_KEY);

		String lone = deploy(ModelSet.shipped()
			.with("approval-gate.bpmn", weakerGate(ModelSet.shipped().content("approval-gate.bpmn")))
			.only("approval-gate.bpmn"));
		assertThat(latest(ApprovalGateProcess.PROCESS_KEY).getDeploymentId()).isEqualTo(lone);

		decide("carol", reduction, Map.of("decision", "NARROW", "narrowedTo", List.of("iam:admin")));
		JsonNode narrowed = awaitApprovals(reduction, 2).get(1);
		assertThat(gate(reduction).getProcessDefinitionId()).isEqualTo(shippedGate);
		assertThat(approvalTask(reduction).getName()).doesNotStartWith(WEAKER_TASK_NAME);
		assertThat(modelsOf(reduction, narrowed.path("id").asText()).path("processes"))
			.extracting(process -> process.path("id").asText())
			.contains(shippedGate);

		// New responses start the latest playbook, whose deployment still holds the shipped gate.
		String later = this.api.startRotation("svc-binding", "critical");
		JsonNode after = awaitApprovals(later, 1).get(0);
		assertThat(after.path("requiredApprovals").asInt()).isEqualTo(2);
		assertThat(gate(later).getProcessDefinitionId()).isEqualTo(shippedGate);
		assertThat(approvalTask(later).getName()).doesNotStartWith(WEAKER_TASK_NAME);
	}

	@Test
	void shouldDenyWhenTheResponsesDeploymentHoldsNoApprovalPolicy() {
		String withoutPolicy = deploy(ModelSet.shipped().without("approval-policy.dmn"));

		String reduction = startReduction();

		JsonNode denied = this.api.awaitResponseStatus("scanner", reduction, "DENIED");
		assertThat(denied.path("approvals").get(0).path("deniedReason").asText())
			.contains("deployment " + withoutPolicy + " holds no approval policy");
		// The shipped policy is still deployed, and still the latest of its key; it is not asked in its place.
		assertThat(policy(this.shippedDeployment)).isNotNull();
		assertThat(this.api.get("scanner", "/api/v1/identities/" + reductionIdentity).json().path("privileges"))
			.hasSize(3);
	}

	@Test
	void shouldKeepAPendingToolCallOnItsPolicyWhenAStricterOneIsDeployed() {
		String pending = askForRefund();
		String stricter = deploy(ModelSet.shipped()
			.with("agent-tool-policy.dmn", paymentsForbidden(ModelSet.shipped().content("agent-tool-policy.dmn"))));

		// Asked again at review time, the policy of the request's own deployment still allows the refund.
		Reply reviewed = this.api.post("erin", engineRest() + "/task/" + reviewTask(pending).getId() + "/complete",
				Map.of("variables", Map.of("decision", Map.of("value", "APPROVE"), "reason",
						Map.of("value", "Duplicate charge confirmed in the ticket"))));
		assertThat(reviewed.status()).as(reviewed.toString()).isEqualTo(204);
		assertThat(this.api.get("erin", "/api/v1/agent-actions/" + pending).json().path("status").asText())
			.isEqualTo("APPROVED");

		// A request made now is asked of the new policy, which forbids it.
		Reply later = this.api.post("research-bot", "/api/v1/agent-actions", refund());
		assertThat(later.status()).as(later.toString()).isEqualTo(202);
		assertThat(later.json().path("status").asText()).isEqualTo("DENIED");
		assertThat(latest("agent-tool-access").getDeploymentId()).isEqualTo(stricter);
	}

	// ---- the administrator's deployments -------------------------------------------------------------------

	private String deploy(ModelSet set) {
		ModelSet.Multipart multipart = set.multipart("model-binding-test-" + UUID.randomUUID());
		Reply deployed = this.api.send("admin", "POST", engineRest() + "/deployment/create", multipart.body(),
				Map.of("Content-Type", multipart.contentType()));
		assertThat(deployed.status()).as(deployed.toString()).isEqualTo(200);
		String id = deployed.json().path("id").asText();
		this.deployments.add(id);
		return id;
	}

	/** Every rule of the shipped policy, asking one approval where it asked two. */
	private static String quorumOfOne(String policy) {
		String lowered = policy.replaceAll("(<outputEntry id=\"OutputEntry_\\w+_RequiredApprovals\">\\s*<text>)2(</text>)",
				"$11$2");
		assertThat(lowered).isNotEqualTo(policy);
		return lowered;
	}

	private static String weakerGate(String gate) {
		String changed = gate.replace("name=\"${approvalTaskName}\"", "name=\"" + WEAKER_TASK_NAME + "${approvalTaskName}\"");
		assertThat(changed).isNotEqualTo(gate);
		return changed;
	}

	private static String paymentsForbidden(String policy) {
		String start = "<rule id=\"Rule_PaymentsReviewEveryCall\">";
		int from = policy.indexOf(start);
		int to = policy.indexOf("</rule>", from);
		String rule = policy.substring(from, to).replace("<text>true</text>", "<text>false</text>");
		assertThat(rule).contains("<text>false</text>");
		return policy.substring(0, from) + rule + policy.substring(to);
	}

	// ---- responses and tool calls ------------------------------------------------------------------------------

	/** An admin-level production identity: two access owners must approve reducing it, by the shipped policy. */
	private String startReduction() {
		this.reductionIdentity = "svc-binding-" + UUID.randomUUID();
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.reductionIdentity, Map.of("owner",
				"payments-team", "environment", "production", "privileges", List.of("repo:read", "repo:write", "iam:admin"),
				"credentials", List.of(Map.of("id", "key-" + this.reductionIdentity, "kind", "API_KEY", "fingerprint",
						StagedAction.sha256("v1 " + this.reductionIdentity)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "privilege-reduction");
		body.put("identity", this.reductionIdentity);
		body.put("summary", "iam:admin unused for 90 days");
		body.put("source", "ciem");
		body.put("severity", "medium");
		body.put("environment", "production");
		body.put("evidence", Map.of("usedPrivileges", List.of("repo:read")));
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private static Map<String, Object> detection(String identity, String credential, String severity) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", identity);
		body.put("credential", credential);
		body.put("summary", severity + " finding on " + credential);
		body.put("source", "integration-test");
		body.put("severity", severity);
		body.put("environment", "production");
		return body;
	}

	private static String refund() {
		return "{\"agent\":\"research-bot\",\"tool\":\"payments.refund\",\"arguments\":{\"orderId\":\"ORD-" + UUID.randomUUID()
				+ "\"},\"purpose\":\"Refund a duplicate charge\",\"scope\":\"refunds:write\",\"durationSeconds\":900}";
	}

	private String askForRefund() {
		Reply asked = this.api.post("research-bot", "/api/v1/agent-actions", refund());
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		assertThat(asked.json().path("status").asText()).isEqualTo("PENDING");
		return asked.json().path("id").asText();
	}

	/** Waits until the response has {@code count} approval requests and its approval task is open. */
	private JsonNode awaitApprovals(String id, int count) {
		this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> approvalTask(id) != null
				&& this.api.get("scanner", "/api/v1/responses/" + id).json().path("approvals").size() == count);
		return this.api.get("scanner", "/api/v1/responses/" + id).json().path("approvals");
	}

	private void decide(String user, String id, Map<String, Object> extra) {
		JsonNode response = this.api.awaitResponseStatus(user, id, "AWAITING_APPROVAL");
		Map<String, Object> body = new LinkedHashMap<>(extra);
		body.putIfAbsent("decision", "APPROVE");
		body.put("reason", "Checked the blast radius");
		body.put("fingerprint", response.path("stagedAction").path("fingerprint").asText());
		Reply decided = this.api.post(user, "/api/v1/responses/" + id + "/decision", body);
		assertThat(decided.status()).as(decided.toString()).isEqualTo(200);
	}

	/** The models recorded with the policy's answer for one approval request. */
	private JsonNode modelsOf(String responseId, String requestId) {
		return ApiClient.jsonLines(this.api.get("scanner", "/api/v1/audit?response=" + responseId))
			.stream()
			.filter(entry -> entry.path("type").asText().equals("POLICY_EVALUATED")
					&& entry.path("data").path("approvalRequest").asText().equals(requestId))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no POLICY_EVALUATED for " + requestId))
			.path("data")
			.path("models");
	}

	// ---- what the engine runs --------------------------------------------------------------------------------

	private Task approvalTask(String id) {
		return this.processEngine.getTaskService()
			.createTaskQuery()
			.processInstanceBusinessKey(id)
			.taskDefinitionKey(ApprovalGateProcess.TASK_APPROVE)
			.singleResult();
	}

	private Task reviewTask(String actionId) {
		return this.processEngine.getTaskService().createTaskQuery().processInstanceBusinessKey(actionId).singleResult();
	}

	private ProcessInstance gate(String id) {
		return this.processEngine.getRuntimeService()
			.createProcessInstanceQuery()
			.processDefinitionKey(ApprovalGateProcess.PROCESS_KEY)
			.processInstanceBusinessKey(id)
			.singleResult();
	}

	private ProcessDefinition latest(String key) {
		return this.processEngine.getRepositoryService()
			.createProcessDefinitionQuery()
			.processDefinitionKey(key)
			.latestVersion()
			.singleResult();
	}

	private String definitionIn(String deployment, String key) {
		return this.processEngine.getRepositoryService()
			.createProcessDefinitionQuery()
			.deploymentId(deployment)
			.processDefinitionKey(key)
			.singleResult()
			.getId();
	}

	private DecisionDefinition policy(String deployment) {
		return this.processEngine.getRepositoryService()
			.createDecisionDefinitionQuery()
			.deploymentId(deployment)
			.decisionDefinitionKey(ApprovalPolicy.DECISION_KEY)
			.singleResult();
	}

	private String engineRest() {
		return "/engine-rest/engine/" + this.processEngine.getName();
	}

}
