package io.countersign.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.IdentityUpsertRequest;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.response.StartResponseRequest;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;

/**
 * One detection handled by one of the seed playbooks, on a fresh identity: a token, a federated trust with a partner
 * key, two consumers (one customer-facing when asked), and privileges of which evidence shows some in use. Drives
 * the engine by hand: jobs, tasks and timers.
 */
public final class PlaybookScenario {

	public final String identityId = "svc-" + UUID.randomUUID();

	public final String tokenId = "token-" + UUID.randomUUID();

	public final String trustId = "trust-" + UUID.randomUUID();

	public final String partnerKeyId = "partner-key-" + UUID.randomUUID();

	public static final List<String> PRIVILEGES = List.of("repo:read", "repo:write", "deploy:production", "iam:admin");

	public static final List<String> USED = List.of("repo:read", "repo:write");

	private final Inventory inventory;

	private final Responses responses;

	private final RuntimeService runtimeService;

	private final TaskService taskService;

	private final IdentityService identityService;

	private final ManagementService managementService;

	public String responseId;

	public PlaybookScenario(ProcessEngine engine, Inventory inventory, Responses responses, Environment environment,
			String owner, boolean customerFacing) {
		// camunda-bpm-assert asserts against one registered engine; several test contexts each have their own.
		BpmnAwareTests.init(engine);
		this.inventory = inventory;
		this.responses = responses;
		this.runtimeService = engine.getRuntimeService();
		this.taskService = engine.getTaskService();
		this.identityService = engine.getIdentityService();
		this.managementService = engine.getManagementService();
		inventory.upsert(this.identityId, new IdentityUpsertRequest(owner, "Identity under test", environment,
				IdentityStatus.ACTIVE, PRIVILEGES,
				List.of(new IdentityUpsertRequest.ConsumerRequest("deploy-pipeline", false, null),
						new IdentityUpsertRequest.ConsumerRequest("storefront", customerFacing, null)),
				List.of(credential(this.tokenId, CredentialKind.ACCESS_TOKEN),
						credential(this.trustId, CredentialKind.FEDERATED_TRUST),
						credential(this.partnerKeyId, CredentialKind.API_KEY)),
				null));
	}

	private static IdentityUpsertRequest.CredentialRequest credential(String id, CredentialKind kind) {
		return new IdentityUpsertRequest.CredentialRequest(id, kind, CredentialStatus.ACTIVE,
				StagedAction.sha256("v1 of " + id), null);
	}

	/** Starts the playbook and runs its staging step. */
	public ProcessInstance start(String playbook, Severity severity, Environment environment, String credential,
			ObjectNode evidence, String requester) {
		ObjectNode body = evidence == null ? JsonNodeFactory.instance.objectNode() : evidence;
		StartResponseRequest request = new StartResponseRequest(playbook, this.identityId, credential,
				"Detection for " + playbook, "test-detector", severity, environment, body);
		this.responseId = this.responses.start(request, requester, null).response().id();
		runJobs();
		return playbookInstance(playbook);
	}

	public ProcessInstance playbookInstance(String playbook) {
		return this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(this.responseId)
			.processDefinitionKey(playbook)
			.singleResult();
	}

	/** Executes every due job of this response (not timers), until none is left. */
	public void runJobs() {
		for (int round = 0; round < 20; round++) {
			List<Job> jobs = this.managementService.createJobQuery()
				.list()
				.stream()
				.filter(job -> job.getDuedate() == null && job.getRetries() > 0 && belongs(job))
				.toList();
			if (jobs.isEmpty()) {
				return;
			}
			jobs.forEach(job -> this.managementService.executeJob(job.getId()));
		}
		throw new IllegalStateException("jobs keep coming for response " + this.responseId);
	}

	private boolean belongs(Job job) {
		return job.getProcessInstanceId() != null && this.runtimeService.createProcessInstanceQuery()
			.processInstanceId(job.getProcessInstanceId())
			.processInstanceBusinessKey(this.responseId)
			.count() == 1;
	}

	/** Fires a timer anywhere in this response's instances, as if its time had come, then runs what follows. */
	public void fireTimer(String activityId) {
		Job timer = this.managementService.createJobQuery()
			.timers()
			.activityId(activityId)
			.list()
			.stream()
			.filter(this::belongs)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no timer at " + activityId + " for response " + this.responseId));
		this.managementService.executeJob(timer.getId());
		runJobs();
	}

	public Task task(String taskDefinitionKey) {
		return this.taskService.createTaskQuery()
			.processInstanceBusinessKey(this.responseId)
			.taskDefinitionKey(taskDefinitionKey)
			.singleResult();
	}

	public List<Task> openTasks() {
		return this.taskService.createTaskQuery().processInstanceBusinessKey(this.responseId).list();
	}

	/** Completes a task as the user, the way Tasklist does, then runs what follows. */
	public void complete(String taskDefinitionKey, String user, Map<String, Object> variables) {
		Task task = task(taskDefinitionKey);
		if (task == null) {
			throw new AssertionError("no open task " + taskDefinitionKey + "; open: " + openTasks());
		}
		TestIdentities.runAs(this.identityService, user, () -> this.taskService.complete(task.getId(), variables));
		runJobs();
	}

	public void decide(String user, String decision, Map<String, Object> extras) {
		Map<String, Object> variables = new HashMap<>(extras);
		variables.put("decision", decision);
		variables.put("reason", decision + " by " + user + " in a test");
		variables.put("approvedFingerprint", response().stagedAction().fingerprint());
		complete("Task_Approve", user, variables);
	}

	public void approveAs(String user) {
		decide(user, "APPROVE", Map.of());
	}

	public void rejectAs(String user) {
		decide(user, "REJECT", Map.of());
	}

	public ResponseView response() {
		return this.responses.find(this.responseId).orElseThrow();
	}

	public ResponseStatus status() {
		return response().status();
	}

	public List<String> timeline() {
		return response().timeline().stream().map(ResponseView.TimelineEntry::type).toList();
	}

	public Identity identity() {
		return this.inventory.find(this.identityId).orElseThrow();
	}

	public CredentialStatus credentialStatus(String credentialId) {
		return identity().credential(credentialId).status();
	}

}
