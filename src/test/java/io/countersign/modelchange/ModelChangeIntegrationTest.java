package io.countersign.modelchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.TestIdentities;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * Models change only as countersigned change requests, as in the prod profile: an admin submits, a security lead who
 * did not ask approves the exact set, and only then is it deployed with approvers and diff in the ledger. Every other
 * way an admin could change, weaken or remove a model is refused and recorded.
 */
@HttpIntegrationTest
@TestPropertySource(properties = "countersign.model-changes.direct-deployments=false")
class ModelChangeIntegrationTest {

	private static final String CRITICAL_QUORUM = "OutputEntry_RotateProductionCritical_RequiredApprovals\">\n"
			+ "          <text>2</text>";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	RepositoryService repositoryService;

	@Autowired
	IdentityService identityService;

	@Autowired
	JdbcClient jdbc;

	ApiClient api;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldDeployLoweredQuorumOnlyAfterASecurityLeadApprovesItsExactFingerprint() {
		String policy = deployedPolicy().replace(CRITICAL_QUORUM, CRITICAL_QUORUM.replace(">2<", ">1<"));
		String before = latestPolicy().getDeploymentId();

		Reply submitted = submit("admin", "Lower the critical rotation quorum", "approval-policy.dmn", policy);

		assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
		JsonNode change = submitted.json();
		assertThat(change.path("diff").path("changed").toString()).contains("approval-policy.dmn");
		assertThat(change.path("diff").path("weakens").asBoolean()).isTrue();
		assertThat(change.path("diff").path("findings").toString()).contains("WEAKENS")
			.contains("Rule_RotateProductionCritical")
			.contains("lowers the quorum");
		String response = change.path("response").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("admin", response, "AWAITING_APPROVAL");
		assertThat(awaiting.path("stagedAction").path("fingerprint").asText()).isEqualTo(change.path("fingerprint").asText());
		assertThat(latestPolicy().getDeploymentId()).as("nothing deployed before the approval").isEqualTo(before);

		Reply approved = approve("dave", response, change.path("fingerprint").asText());

		assertThat(approved.status()).as(approved.toString()).isIn(200, 201, 202, 204);
		this.api.awaitResponseStatus("admin", response, "COMPLETED");
		JsonNode deployed = this.api.get("audrey", "/api/v1/model-changes/" + change.path("id").asText()).json();
		String deployment = deployed.path("deploymentId").asText();
		assertThat(latestPolicy().getDeploymentId()).isEqualTo(deployment);
		assertThat(content(deployment, "approval-policy.dmn")).isEqualTo(policy);
		assertThat(ledger()).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("DEPLOYED");
			assertThat(entry.path("data").path("deployment").asText()).isEqualTo(deployment);
			assertThat(entry.path("data").path("modelChange").asText()).isEqualTo(change.path("id").asText());
			assertThat(entry.path("data").path("requestedBy").asText()).isEqualTo("admin");
			assertThat(entry.path("data").path("approvers").toString()).isEqualTo("[\"dave\"]");
			assertThat(entry.path("data").path("diff").path("findings").toString()).contains("lowers the quorum");
		});
	}

	@Test
	void shouldNotCountTheRequesterOrANonMemberAsApproverOfAModelChange() {
		String lead = "lead-admin-" + UUID.randomUUID().toString().substring(0, 8);
		TestIdentities.user(this.identityService, lead, "camunda-admin", "security-leads");
		JsonNode change = submit(lead, "Reword the approval form", "approval-gate.form", reworded()).json();
		String response = change.path("response").asText();
		this.api.awaitResponseStatus(lead, response, "AWAITING_APPROVAL");
		String fingerprint = change.path("fingerprint").asText();

		Reply byRequester = approve(lead, response, fingerprint);
		Reply byPlatformOwner = approve("bob", response, fingerprint);

		assertThat(byRequester.status()).as(byRequester.toString()).isEqualTo(403);
		assertThat(byRequester.body()).contains("not-requester");
		// Not a candidate of the task: the engine refuses before the gate is asked.
		assertThat(byPlatformOwner.status()).as(byPlatformOwner.toString()).isEqualTo(403);
		assertThat(this.api.get("admin", "/api/v1/responses/" + response).json().path("status").asText())
			.isEqualTo("AWAITING_APPROVAL");
		assertThat(deploymentOf(change)).isNull();
	}

	@Test
	void shouldRefuseDirectDeploymentRedeploymentAndDeletionThroughEngineRestAndLedgerEachRefusal() {
		long deployments = this.repositoryService.createDeploymentQuery().count();
		String existing = latestPolicy().getDeploymentId();
		String boundary = "countersign-" + UUID.randomUUID();
		String bpmn = Bpmn.convertToString(Bpmn.createExecutableProcess("approval-gate")
			.camundaHistoryTimeToLive(1).startEvent().endEvent().done());
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\nrogue\r\n"
				+ "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"approval-gate.bpmn\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n" + bpmn + "\r\n--" + boundary + "--\r\n";

		Reply created = this.api.send("admin", "POST", engineRest("/deployment/create"), body,
				Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
		Reply redeployed = this.api.post("admin", engineRest("/deployment/" + existing + "/redeploy"), Map.of());
		Reply deleted = this.api.send("admin", "DELETE", engineRest("/deployment/" + existing + "?cascade=true"), null,
				Map.of());

		assertThat(List.of(created, redeployed, deleted)).allSatisfy(reply -> {
			assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
			assertThat(reply.body()).contains("countersigned-model-change");
		});
		assertThat(this.repositoryService.createDeploymentQuery().count()).isEqualTo(deployments);
		assertThat(this.repositoryService.createDeploymentQuery().deploymentId(existing).count()).isOne();
		assertThat(ledger().stream().filter(entry -> entry.path("type").asText().equals("CHANGE_REFUSED"))
			.filter(entry -> entry.path("actor").asText().equals("admin"))
			.map(entry -> entry.path("detail").asText())
			.toList()).anyMatch(detail -> detail.startsWith("Deploying models is refused"))
			.anyMatch(detail -> detail.startsWith("Deleting deployment " + existing + " is refused"));
	}

	@Test
	void shouldRefuseGrantingAnyoneTheRightToDeploy() {
		long authorizations = this.processEngine.getAuthorizationService().createAuthorizationQuery().count();

		Reply granted = this.api.post("admin", engineRest("/authorization/create"), Map.of("type", 1, "permissions",
				List.of("CREATE"), "userId", "bob", "resourceType", 9, "resourceId", "*"));

		assertThat(granted.status()).as(granted.toString()).isEqualTo(403);
		assertThat(granted.body()).contains("countersigned-model-change");
		assertThat(this.processEngine.getAuthorizationService().createAuthorizationQuery().count())
			.isEqualTo(authorizations);
		assertThat(this.processEngine.getAuthorizationService().createAuthorizationQuery().userIdIn("bob")
			.resourceType(9).count()).isZero();
	}

	@Test
	void shouldRefuseToDeployAChangeWhoseStoredFilesWereEditedAfterStaging() {
		JsonNode change = submit("admin", "Reword the approval form", "approval-gate.form", reworded()).json();
		String response = change.path("response").asText();
		this.api.awaitResponseStatus("admin", response, "AWAITING_APPROVAL");
		// Someone with database access swaps the approved file for their own.
		this.jdbc.sql("update model_change_resource set content = ? where change_id = ? and changed = true")
			.params(reworded().replace("Approve", "Rubber-stamp"), change.path("id").asText())
			.update();

		approve("dave", response, change.path("fingerprint").asText());

		JsonNode ended = awaitEnded(response);
		assertThat(ended.path("status").asText()).isIn("FAILED", "ROLLED_BACK");
		assertThat(deploymentOf(change)).isNull();
		assertThat(this.repositoryService.createDeploymentQuery()
			.deploymentName(ModelChangeConnector.DEPLOYMENT_PREFIX + change.path("id").asText())
			.count()).isZero();
	}

	@Test
	void shouldRefuseAChangeStagedAgainstModelsThatChangedSinceInsteadOfUndoingTheOtherChange() {
		String form = reworded();
		JsonNode first = submit("admin", "Reword the approval form", "approval-gate.form", form).json();
		JsonNode second = submit("admin", "Reword a rule", "approval-policy.dmn", redescribed(deployedPolicy())).json();
		this.api.awaitResponseStatus("admin", first.path("response").asText(), "AWAITING_APPROVAL");
		this.api.awaitResponseStatus("admin", second.path("response").asText(), "AWAITING_APPROVAL");

		approve("dave", first.path("response").asText(), first.path("fingerprint").asText());
		this.api.awaitResponseStatus("admin", first.path("response").asText(), "COMPLETED");
		approve("dave", second.path("response").asText(), second.path("fingerprint").asText());

		JsonNode ended = awaitEnded(second.path("response").asText());
		assertThat(ended.path("status").asText()).isIn("FAILED", "ROLLED_BACK");
		assertThat(ended.toString()).contains("not those model change");
		assertThat(deploymentOf(second)).isNull();
		assertThat(content(this.api.get("admin", "/api/v1/model-changes/" + first.path("id").asText()).json()
			.path("deploymentId").asText(), "approval-gate.form")).isEqualTo(form);
	}

	@Test
	void shouldKeepModelChangeApprovalWithTheConfiguredGroupWhateverThePolicySays() {
		String rule = "      <rule id=\"Rule_IntegratorsApproveModelChanges\">\n"
				+ entries("\"model.deploy\"", "", "", "", "", "\"integrators-deploy\"", "\"integrators\"", "1",
						"\"PT1H\"", "\"integrators\"", "\"PT2H\"", "", "", "")
				+ "      </rule>\n";
		String weakened = deployedPolicy().replaceFirst("      <rule id=", java.util.regex.Matcher.quoteReplacement(rule)
				+ "      <rule id=");
		JsonNode change = submit("admin", "Let integrators approve model changes", "approval-policy.dmn", weakened)
			.json();
		assertThat(change.path("diff").path("findings").toString()).contains("WEAKENS")
			.contains("Rule_IntegratorsApproveModelChanges added");
		this.api.awaitResponseStatus("admin", change.path("response").asText(), "AWAITING_APPROVAL");
		approve("dave", change.path("response").asText(), change.path("fingerprint").asText());
		this.api.awaitResponseStatus("admin", change.path("response").asText(), "COMPLETED");

		JsonNode next = submit("admin", "Reword the approval form", "approval-gate.form", reworded()).json();
		this.api.awaitResponseStatus("admin", next.path("response").asText(), "AWAITING_APPROVAL");
		Reply byIntegrator = approve("scanner", next.path("response").asText(), next.path("fingerprint").asText());

		assertThat(byIntegrator.status()).as(byIntegrator.toString()).isEqualTo(403);
		Map<String, Object> request = this.jdbc
			.sql("select policy_rule, approver_group, escalation_group, required_approvals from approval_request "
					+ "where response_id = ?")
			.param(next.path("response").asText())
			.query()
			.singleRow();
		assertThat(request).containsEntry("POLICY_RULE", "model-change")
			.containsEntry("APPROVER_GROUP", "security-leads")
			.containsEntry("ESCALATION_GROUP", "security-leads")
			.containsEntry("REQUIRED_APPROVALS", 1);
	}

	@Test
	void shouldRefuseAModelWithAScriptBeforeAnyoneIsAskedAndStoreNothing() {
		long changes = this.jdbc.sql("select count(*) from model_change").query(Long.class).single();
		String scripted = Bpmn.convertToString(Bpmn.createExecutableProcess("approval-gate")
			.camundaHistoryTimeToLive(1)
			.startEvent()
			.scriptTask()
			.scriptFormat("javascript")
			.scriptText("java.lang.Runtime.getRuntime().exec('id')")
			.endEvent()
			.done());

		Reply refused = submit("admin", "Add a script", "approval-gate.bpmn", scripted);

		assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
		assertThat(refused.contentType()).startsWith("application/problem+json");
		assertThat(refused.body()).contains("approval-gate.bpmn").contains("no scripts");
		assertThat(this.jdbc.sql("select count(*) from model_change").query(Long.class).single()).isEqualTo(changes);
	}

	@Test
	void shouldAnswerBadModelChangesWithProblemDetailsAndStoreNothing() {
		long changes = this.jdbc.sql("select count(*) from model_change").query(Long.class).single();

		Reply path = submit("admin", "Path", "../approval-policy.dmn", policy());
		Reply doctype = submit("admin", "Entity", "approval-policy.dmn",
				"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d>&x;</d>");
		Reply broken = submit("admin", "Broken", "approval-policy.dmn", "<definitions");
		Reply unchanged = submit("admin", "Same", "approval-policy.dmn", deployedPolicy());
		Reply byIntegrator = submit("scanner", "Integrator", "approval-gate.form", reworded());
		Reply twice = this.api.post("admin", "/api/v1/model-changes", Map.of("summary", "Twice", "files",
				List.of(Map.of("name", "approval-gate.form", "content", reworded()),
						Map.of("name", "approval-gate.form", "content", reworded()))));

		assertThat(path.status()).as(path.toString()).isEqualTo(400);
		assertThat(List.of(doctype, broken, unchanged, twice)).allSatisfy(reply -> {
			assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
			assertThat(reply.contentType()).startsWith("application/problem+json");
		});
		assertThat(doctype.body()).doesNotContain("root:");
		assertThat(byIntegrator.status()).isEqualTo(403);
		assertThat(this.jdbc.sql("select count(*) from model_change").query(Long.class).single()).isEqualTo(changes);
	}

	private Reply submit(String user, String summary, String name, String content) {
		return this.api.post(user, "/api/v1/model-changes",
				Map.of("summary", summary, "files", List.of(Map.of("name", name, "content", content))));
	}

	private Reply approve(String user, String response, String fingerprint) {
		return this.api.post(user, "/api/v1/responses/" + response + "/decision",
				Map.of("decision", "APPROVE", "reason", "Reviewed the diff", "fingerprint", fingerprint));
	}

	private JsonNode awaitEnded(String response) {
		return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(
				() -> this.api.get("admin", "/api/v1/responses/" + response).json(),
				json -> List.of("COMPLETED", "FAILED", "ROLLED_BACK", "REJECTED", "EXPIRED", "DENIED")
					.contains(json.path("status").asText()));
	}

	private String deploymentOf(JsonNode change) {
		JsonNode view = this.api.get("admin", "/api/v1/model-changes/" + change.path("id").asText()).json();
		return view.path("deploymentId").isMissingNode() || view.path("deploymentId").isNull() ? null
				: view.path("deploymentId").asText();
	}

	private DecisionDefinition latestPolicy() {
		return this.repositoryService.createDecisionDefinitionQuery()
			.decisionDefinitionKey("approval-policy")
			.latestVersion()
			.singleResult();
	}

	private String content(String deployment, String file) {
		String name = this.repositoryService.getDeploymentResourceNames(deployment)
			.stream()
			.filter(resource -> resource.endsWith(file))
			.findFirst()
			.orElseThrow();
		try (InputStream stream = this.repositoryService.getResourceAsStream(deployment, name)) {
			return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private List<JsonNode> ledger() {
		Reply reply = this.api.get("audrey", "/api/v1/audit?after=0&limit=5000");
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return ApiClient.jsonLines(reply);
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

	private static String policy() {
		return classpath("bpmn/approval-policy.dmn");
	}

	/** The policy as deployed now: earlier tests of this class may have changed it. */
	private String deployedPolicy() {
		return content(latestPolicy().getDeploymentId(), "approval-policy.dmn");
	}

	/** The approval form with a heading no deployment has had yet: a change that weakens nothing. */
	private static String reworded() {
		String form = classpath("forms/approval-gate.form");
		String reworded = form.replace("\"label\": \"Approve this exact action\"",
				"\"label\": \"Approve exactly this action (" + UUID.randomUUID() + ")\"");
		// Guards the test itself: an unchanged file is no change, and the submission would be refused for that.
		assertThat(reworded).isNotEqualTo(form);
		return reworded;
	}

	/** A new description of the first rule: changes the file, not what it decides. */
	private static String redescribed(String policy) {
		return policy.replaceFirst("<description>[^<]*</description>\\s*<inputEntry",
				"<description>Reworded " + UUID.randomUUID() + "</description>\n        <inputEntry");
	}

	private static String entries(String... texts) {
		String[] inputs = { "ActionType", "Environment", "Severity", "PrivilegeLevel", "CustomerFacing" };
		String[] outputs = { "Rule", "ApproverGroup", "RequiredApprovals", "EscalateAfter", "EscalationGroup",
				"ExpireAfter", "ContainFirst", "RequiredGroup", "RollbackWindow" };
		StringBuilder xml = new StringBuilder();
		for (int i = 0; i < texts.length; i++) {
			boolean input = i < inputs.length;
			String kind = input ? "inputEntry" : "outputEntry";
			String id = (input ? "InputEntry_Integrators_" + inputs[i] : "OutputEntry_Integrators_"
					+ outputs[i - inputs.length]);
			xml.append("        <").append(kind).append(" id=\"").append(id).append("\">\n          <text>")
				.append(texts[i]).append("</text>\n        </").append(kind).append(">\n");
		}
		return xml.toString();
	}

	private static String classpath(String path) {
		try (InputStream stream = ModelChangeIntegrationTest.class.getClassLoader().getResourceAsStream(path)) {
			return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
