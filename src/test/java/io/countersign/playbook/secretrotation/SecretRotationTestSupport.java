package io.countersign.playbook.secretrotation;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;

import io.countersign.gate.ApprovalGateProcess;
import io.countersign.inventory.Inventory;
import io.countersign.response.Responses;
import io.countersign.support.ProcessEngineTest;
import io.countersign.support.ResponseScenario;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;

/** Wiring shared by the secret-rotation process tests: a fresh rotation scenario per test. */
@ProcessEngineTest
abstract class SecretRotationTestSupport {

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	@Autowired
	RuntimeService runtimeService;

	@Autowired
	TaskService taskService;

	@Autowired
	IdentityService identityService;

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
		return staged(this.rotation, requester);
	}

	static ProcessInstance staged(ResponseScenario scenario, String requester) {
		ProcessInstance instance = scenario.requestedBy(requester);
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_STAGE);
		execute(job());
		assertThat(instance).isWaitingAt(SecretRotationProcess.CALL_APPROVAL_GATE);
		assertThat(scenario.gateInstance()).isWaitingAt(ApprovalGateProcess.TASK_APPROVE);
		assertThat(instance);
		return instance;
	}

	/** Asserts the gate still waits for a decision, and makes the playbook the instance {@code job()} looks at. */
	void assertStillWaitingForApproval(ProcessInstance instance) {
		assertThat(this.rotation.gateInstance()).isWaitingAt(ApprovalGateProcess.TASK_APPROVE);
		assertThat(instance).isWaitingAt(SecretRotationProcess.CALL_APPROVAL_GATE);
	}

}
