package io.countersign.playbook.secretrotation;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;

import io.countersign.inventory.Inventory;
import io.countersign.response.Responses;
import io.countersign.support.ProcessEngineTest;
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

	SecretRotationScenario rotation;

	@BeforeEach
	void setUpRotation() {
		init(this.processEngine);
		this.rotation = new SecretRotationScenario(this.inventory, this.responses, this.runtimeService, this.taskService,
				this.identityService);
	}

	/** Requested by {@code requester}, staged, and waiting for a decision. */
	ProcessInstance stagedBy(String requester) {
		ProcessInstance instance = this.rotation.requestedBy(requester);
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_STAGE);
		execute(job());
		assertThat(instance).isWaitingAt(SecretRotationProcess.TASK_APPROVE);
		return instance;
	}

}
