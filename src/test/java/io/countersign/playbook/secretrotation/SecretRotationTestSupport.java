package io.countersign.playbook.secretrotation;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.countersign.gate.ApprovalGateProcess;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryJournal;
import io.countersign.playbook.GuardedActionProcess;
import io.countersign.response.Responses;
import io.countersign.support.ProcessEngineTest;
import io.countersign.support.ResponseScenario;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Wiring shared by the secret-rotation process tests: a fresh rotation scenario per test. */
@ProcessEngineTest
abstract class SecretRotationTestSupport {

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	Inventory inventory;

	@Autowired
	InventoryJournal journal;

	@Autowired
	Responses responses;

	@Autowired
	RuntimeService runtimeService;

	@Autowired
	TaskService taskService;

	@Autowired
	IdentityService identityService;

	@Autowired
	ManagementService managementService;

	@Autowired
	JdbcClient jdbc;

	/** Where the file sink puts new material: {@code <directory>/<target>/<credential-id>}. */
	@Value("${countersign.secrets.file.directory}")
	Path secrets;

	ResponseScenario rotation;

	@BeforeEach
	void setUpRotation() {
		init(this.processEngine);
		this.rotation = scenario(ResponseScenario.Options.secretRotation());
	}

	ResponseScenario scenario(ResponseScenario.Options options) {
		return new ResponseScenario(this.processEngine, this.inventory, this.responses, options);
	}

	/** Requested by {@code requester}, staged, and waiting in the approval gate for a decision. */
	ProcessInstance stagedBy(String requester) {
		ProcessInstance instance = this.rotation.requestedBy(requester);
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_STAGE);
		execute(job());
		assertStillWaitingForApproval(instance);
		return instance;
	}

	/** Staged and approved by bob: the guarded action waits to apply the rotation. Returns the guarded action. */
	ProcessInstance approved(ProcessInstance instance) {
		this.rotation.approveAs("bob");
		assertThat(instance).isWaitingAt(SecretRotationProcess.CALL_GUARDED_ROTATION);
		ProcessInstance guarded = this.rotation.guardedInstance();
		assertThat(guarded).isWaitingAt(GuardedActionProcess.TASK_APPLY);
		return guarded;
	}

	/** Asserts the gate still waits for a decision, and makes the playbook the instance {@code job()} looks at. */
	void assertStillWaitingForApproval(ProcessInstance instance) {
		assertThat(this.rotation.gateInstance()).isWaitingAt(ApprovalGateProcess.TASK_APPROVE);
		assertThat(this.rotation.guardedInstance()).isWaitingAt(GuardedActionProcess.CALL_APPROVAL_GATE);
		assertThat(instance).isWaitingAt(SecretRotationProcess.CALL_GUARDED_ROTATION);
	}

	/** The file consumers of the credential read. */
	Path secretFile(String credentialId) {
		return this.secrets.resolve(Identity.DEFAULT_TARGET).resolve(credentialId);
	}

	String delivered(String credentialId) {
		try {
			return Files.readString(secretFile(credentialId));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** How often the response's receipts were spent. */
	long receiptUses() {
		return this.jdbc.sql("select count(*) from receipt_use where subject = ?")
			.param(this.rotation.responseId)
			.query(Long.class)
			.single();
	}

}
