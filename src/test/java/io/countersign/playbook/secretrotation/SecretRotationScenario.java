package io.countersign.playbook.secretrotation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.IdentityUpsertRequest;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.response.StartResponseRequest;
import io.countersign.support.TestIdentities;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;

/** One rotation under test: its own identity and credential, so tests never share inventory rows. */
final class SecretRotationScenario {

	final String identityId = "svc-test-" + UUID.randomUUID();

	final String credentialId = "token-" + UUID.randomUUID();

	private final Inventory inventory;

	private final Responses responses;

	private final RuntimeService runtimeService;

	private final TaskService taskService;

	private final IdentityService identityService;

	String responseId;

	SecretRotationScenario(Inventory inventory, Responses responses, RuntimeService runtimeService,
			TaskService taskService, IdentityService identityService) {
		this.inventory = inventory;
		this.responses = responses;
		this.runtimeService = runtimeService;
		this.taskService = taskService;
		this.identityService = identityService;
		inventory.upsert(this.identityId,
				new IdentityUpsertRequest("team-test", "Identity under test", Environment.PRODUCTION,
						IdentityStatus.ACTIVE, List.of("repo:write"),
						List.of(new IdentityUpsertRequest.ConsumerRequest("deploy-pipeline", false, null),
								new IdentityUpsertRequest.ConsumerRequest("storefront", true, null)),
						List.of(new IdentityUpsertRequest.CredentialRequest(this.credentialId, CredentialKind.ACCESS_TOKEN,
								CredentialStatus.ACTIVE, StagedAction.sha256("v1 of " + this.credentialId)))));
	}

	ProcessInstance requestedBy(String requester) {
		StartResponseRequest request = new StartResponseRequest("secret-rotation", this.identityId, this.credentialId,
				"Token found in public repo", "github-secret-scanning", Severity.HIGH, Environment.PRODUCTION,
				JsonNodeFactory.instance.objectNode().put("repository", "acme/website").put("line", 42));
		this.responseId = this.responses.start(request, requester, null).response().id();
		return processInstance();
	}

	ProcessInstance processInstance() {
		return this.runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(this.responseId).singleResult();
	}

	ResponseView response() {
		return this.responses.find(this.responseId).orElseThrow();
	}

	Identity.Credential credential() {
		return this.inventory.find(this.identityId).orElseThrow().credential(this.credentialId);
	}

	String stagedFingerprint() {
		return response().stagedAction().fingerprint();
	}

	Task approvalTask() {
		return this.taskService.createTaskQuery().processInstanceBusinessKey(this.responseId).singleResult();
	}

	void decideAs(String user, String decision, String reason, String fingerprint) {
		Map<String, Object> variables = new java.util.HashMap<>();
		variables.put("decision", decision);
		variables.put("reason", reason);
		variables.put("approvedFingerprint", fingerprint);
		String taskId = approvalTask().getId();
		TestIdentities.runAs(this.identityService, user, () -> this.taskService.complete(taskId, variables));
	}

	void approveAs(String user) {
		decideAs(user, "APPROVE", "Consumers are ready for the new token", stagedFingerprint());
	}

}
