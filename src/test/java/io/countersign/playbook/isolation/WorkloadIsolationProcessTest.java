package io.countersign.playbook.isolation;

import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.countersign.api.ApiException;
import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.support.PlaybookScenario;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

@ProcessEngineTest
class WorkloadIsolationProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	private PlaybookScenario scenario;

	private ProcessInstance detected(String workload, boolean customerFacingInInventory) {
		this.scenario = new PlaybookScenario(this.engine, this.inventory, this.responses, Environment.PRODUCTION,
				"team-test", customerFacingInInventory);
		return this.scenario.start("workload-isolation", Severity.HIGH, Environment.PRODUCTION, null,
				JsonNodeFactory.instance.objectNode().put("workload", workload), "scanner");
	}

	private boolean isolated(String workload) {
		return this.scenario.identity()
			.consumers()
			.stream()
			.filter(c -> c.name().equals(workload))
			.map(Identity.Consumer::isolated)
			.findFirst()
			.orElseThrow();
	}

	private void validated(boolean customerFacing) {
		this.scenario.complete("Task_ValidateWorkload", "alice",
				Map.of("customerFacingConfirmed", customerFacing, "reason", "Checked the service catalogue"));
	}

	@Test
	void shouldIsolateAnInternalWorkloadWithOneApproval() {
		ProcessInstance instance = detected("deploy-pipeline", false);
		validated(false);
		assertThat(this.scenario.response().approvals().get(0).policyRule()).isEqualTo("isolate-workload");

		this.scenario.approveAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_WorkloadIsolated");
		assertThat(isolated("deploy-pipeline")).isTrue();
		assertThat(isolated("storefront")).isFalse();
	}

	@Test
	void shouldRequireASecurityLeadWhenTheResponderConfirmsCustomerFacing() {
		ProcessInstance instance = detected("deploy-pipeline", false);
		validated(true);
		assertThat(this.scenario.response().approvals().get(0).policyRule()).isEqualTo("isolate-customer-facing");

		this.scenario.approveAs("alice");
		assertThat(isolated("deploy-pipeline")).isFalse();
		assertThat(instance).isActive();

		this.scenario.approveAs("dave");

		assertThat(instance).isEnded().hasPassed("EndEvent_WorkloadIsolated");
		assertThat(isolated("deploy-pipeline")).isTrue();
	}

	@Test
	void shouldTreatTheInventorysCustomerFacingFlagAsStricterThanTheResponder() {
		detected("storefront", true);
		validated(false);

		assertThat(this.scenario.response().approvals().get(0).policyRule()).isEqualTo("isolate-customer-facing");
	}

	@Test
	void shouldKeepTheLastPlaceOfTheQuorumForTheRequiredGroup() {
		// Before the request: a membership granted after it would not count anyway (membership-predates-request).
		this.engine.getIdentityService().createMembership("carol", "secops-analysts");
		try {
			detected("storefront", true);
			validated(true);
			this.scenario.approveAs("alice");
			assertThatThrownBy(() -> this.scenario.approveAs("carol")).isInstanceOf(ApprovalRefusedException.class)
				.hasMessageContaining("security-leads");
			assertThat(isolated("storefront")).isFalse();
		}
		finally {
			this.engine.getIdentityService().deleteMembership("carol", "secops-analysts");
		}
	}

	@Test
	void shouldChangeNothingWhenRejected() {
		ProcessInstance instance = detected("deploy-pipeline", false);
		validated(false);

		this.scenario.rejectAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_IsolationRejected");
		assertThat(isolated("deploy-pipeline")).isFalse();
	}

	@Test
	void shouldChangeNothingWhenNobodyDecidesInTime() {
		ProcessInstance instance = detected("deploy-pipeline", false);
		validated(false);

		this.scenario.fireTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(instance).isEnded().hasPassed("EndEvent_IsolationExpired");
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.EXPIRED);
		assertThat(isolated("deploy-pipeline")).isFalse();
	}

	@Test
	void shouldRefuseADetectionNamingNoConsumerOfTheIdentity() {
		assertThatThrownBy(() -> detected("somebody-elses-service", false)).isInstanceOf(ApiException.class)
			.hasMessageContaining("evidence.workload");
	}

}
