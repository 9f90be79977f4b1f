package io.countersign.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.countersign.action.StagedAction;
import io.countersign.gate.ApprovalGateProcess;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.IdentityUpsertRequest;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.PrivilegeLevel;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.response.StartResponseRequest;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;

/**
 * One response under test, with its own identity and credential so tests never share inventory rows. It drives the
 * playbook and the approval gate it calls the way an engine user would: jobs by hand, tasks as a named user.
 */
public final class ResponseScenario {

	/** What the identity and the detection look like; the defaults ask the policy for one platform owner. */
	public record Options(String playbook, Environment environment, Severity severity, String owner,
			List<String> privileges, PrivilegeLevel privilegeLevel, boolean customerFacing, String credentialCreatedBy) {

		public static Options secretRotation() {
			return new Options("secret-rotation", Environment.PRODUCTION, Severity.HIGH, "team-test",
					List.of("repo:write"), null, true, null);
		}

		/** The test-only playbook {@code gate-harness}: a rotation through the guarded action, as any playbook. */
		public static Options gateHarness() {
			return new Options("gate-harness", Environment.PRODUCTION, Severity.HIGH, "team-test",
					List.of("repo:write"), null, true, null);
		}

		public Options environment(Environment value) {
			return new Options(this.playbook, value, this.severity, this.owner, this.privileges, this.privilegeLevel,
					this.customerFacing, this.credentialCreatedBy);
		}

		public Options severity(Severity value) {
			return new Options(this.playbook, this.environment, value, this.owner, this.privileges, this.privilegeLevel,
					this.customerFacing, this.credentialCreatedBy);
		}

		public Options owner(String value) {
			return new Options(this.playbook, this.environment, this.severity, value, this.privileges,
					this.privilegeLevel, this.customerFacing, this.credentialCreatedBy);
		}

		public Options privilegeLevel(PrivilegeLevel value) {
			return new Options(this.playbook, this.environment, this.severity, this.owner, this.privileges, value,
					this.customerFacing, this.credentialCreatedBy);
		}

		public Options customerFacing(boolean value) {
			return new Options(this.playbook, this.environment, this.severity, this.owner, this.privileges,
					this.privilegeLevel, value, this.credentialCreatedBy);
		}

		public Options credentialCreatedBy(String value) {
			return new Options(this.playbook, this.environment, this.severity, this.owner, this.privileges,
					this.privilegeLevel, this.customerFacing, value);
		}

	}

	public final String identityId = "svc-test-" + UUID.randomUUID();

	public final String credentialId = "token-" + UUID.randomUUID();

	private final Options options;

	private final Inventory inventory;

	private final Responses responses;

	private final RuntimeService runtimeService;

	private final TaskService taskService;

	private final IdentityService identityService;

	private final ManagementService managementService;

	public String responseId;

	public ResponseScenario(ProcessEngine engine, Inventory inventory, Responses responses, Options options) {
		this.options = options;
		this.inventory = inventory;
		this.responses = responses;
		this.runtimeService = engine.getRuntimeService();
		this.taskService = engine.getTaskService();
		this.identityService = engine.getIdentityService();
		this.managementService = engine.getManagementService();
		inventory.upsert(this.identityId, new IdentityUpsertRequest(options.owner(), "Identity under test",
				options.environment(), IdentityStatus.ACTIVE, options.privileges(),
				List.of(new IdentityUpsertRequest.ConsumerRequest("deploy-pipeline", false, null),
						new IdentityUpsertRequest.ConsumerRequest("storefront", options.customerFacing(), null)),
				List.of(new IdentityUpsertRequest.CredentialRequest(this.credentialId, CredentialKind.ACCESS_TOKEN,
						CredentialStatus.ACTIVE, StagedAction.sha256("v1 of " + this.credentialId),
						options.credentialCreatedBy())),
				options.privilegeLevel()));
	}

	public ProcessInstance requestedBy(String requester) {
		StartResponseRequest request = new StartResponseRequest(this.options.playbook(), this.identityId,
				this.credentialId, "Token found in public repo", "github-secret-scanning", this.options.severity(),
				this.options.environment(),
				JsonNodeFactory.instance.objectNode().put("repository", "acme/website").put("line", 42));
		this.responseId = this.responses.start(request, requester, null).response().id();
		return processInstance();
	}

	/** The playbook's instance. */
	public ProcessInstance processInstance() {
		return this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(this.responseId)
			.processDefinitionKey(this.options.playbook())
			.singleResult();
	}

	/** The approval gate's instance while it runs (the latest, when a playbook asks more than once). */
	public ProcessInstance gateInstance() {
		return this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(this.responseId)
			.processDefinitionKey(ApprovalGateProcess.PROCESS_KEY)
			.singleResult();
	}

	/** The guarded action's instance while it runs. */
	public ProcessInstance guardedInstance() {
		return this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(this.responseId)
			.processDefinitionKey("guarded-action")
			.singleResult();
	}

	/** Executes every due job of this response (not timers) until none is left: apply, verify, roll back. */
	public void runJobs() {
		for (int round = 0; round < 20; round++) {
			List<Job> jobs = this.managementService.createJobQuery()
				.executable()
				.list()
				.stream()
				.filter(job -> job.getDuedate() == null && belongs(job))
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

	public ResponseView response() {
		return this.responses.find(this.responseId).orElseThrow();
	}

	public Identity.Credential credential() {
		return this.inventory.find(this.identityId).orElseThrow().credential(this.credentialId);
	}

	public String stagedFingerprint() {
		return response().stagedAction().fingerprint();
	}

	public Task approvalTask() {
		return this.taskService.createTaskQuery().processInstanceBusinessKey(this.responseId).singleResult();
	}

	public void decideAs(String user, String decision, String reason, String fingerprint) {
		Map<String, Object> variables = new HashMap<>();
		variables.put("decision", decision);
		variables.put("reason", reason);
		variables.put("approvedFingerprint", fingerprint);
		String taskId = approvalTask().getId();
		TestIdentities.runAs(this.identityService, user, () -> this.taskService.complete(taskId, variables));
	}

	public void approveAs(String user) {
		decideAs(user, "APPROVE", "Consumers are ready for the new token", stagedFingerprint());
	}

	public void rejectAs(String user) {
		decideAs(user, "REJECT", "Not during the release freeze", null);
	}

	/** Fires a timer of the gate, as if its time had come. */
	public void fireGateTimer(String boundaryEventId) {
		Job timer = this.managementService.createJobQuery()
			.processInstanceId(gateInstance().getId())
			.activityId(boundaryEventId)
			.singleResult();
		this.managementService.executeJob(timer.getId());
	}

}
