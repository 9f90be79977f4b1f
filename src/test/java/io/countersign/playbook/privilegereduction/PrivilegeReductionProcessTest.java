package io.countersign.playbook.privilegereduction;

import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.api.ApiException;
import io.countersign.gate.ApprovalGateProcess;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.inventory.Environment;
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
class PrivilegeReductionProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	private PlaybookScenario scenario;

	private ProcessInstance detected() {
		this.scenario = new PlaybookScenario(this.engine, this.inventory, this.responses, Environment.STAGING,
				"team-test", false);
		ObjectNode evidence = JsonNodeFactory.instance.objectNode();
		evidence.set("usedPrivileges", JsonNodeFactory.instance.arrayNode().add("repo:read").add("repo:write"));
		return this.scenario.start("privilege-reduction", Severity.MEDIUM, Environment.STAGING, null, evidence,
				"scanner");
	}

	@Test
	void shouldReduceToThePrivilegesInUseWhenAnAccessOwnerApproves() {
		ProcessInstance instance = detected();
		assertThat(this.scenario.response().stagedAction().parameters().path("remove").toString())
			.isEqualTo("[\"deploy:production\",\"iam:admin\"]");
		assertThat(this.scenario.response().approvals().get(0).approverGroup()).isEqualTo("access-owners");

		this.scenario.approveAs("carol");

		assertThat(instance).isEnded().hasPassed("EndEvent_PrivilegesReduced");
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.COMPLETED);
		assertThat(this.scenario.identity().privileges()).containsExactlyInAnyOrder("repo:read", "repo:write");
	}

	@Test
	void shouldStageTheNarrowedVersionAndApplyOnlyItsOwnApproval() {
		ProcessInstance instance = detected();
		String proposal = this.scenario.response().stagedAction().fingerprint();

		this.scenario.decide("carol", "NARROW", Map.of("narrowedTo", "iam:admin"));

		// Nothing applied; the narrowed action is staged with a new fingerprint and waits for its own approval.
		assertThat(this.scenario.identity().privileges()).hasSize(4);
		assertThat(instance).isActive();
		assertThat(this.scenario.response().stagedAction().parameters().path("remove").toString())
			.isEqualTo("[\"iam:admin\"]");
		String narrowed = this.scenario.response().stagedAction().fingerprint();
		assertThat(narrowed).isNotEqualTo(proposal);
		assertThat(this.scenario.response().approvals()).extracting(a -> a.status())
			.containsExactly("REVISED", "OPEN");
		assertThat(this.scenario.timeline()).contains("NARROWED");

		this.scenario.approveAs("carol");

		assertThat(instance).isEnded().hasPassed("EndEvent_PrivilegesReduced");
		assertThat(this.scenario.identity().privileges()).containsExactlyInAnyOrder("repo:read", "repo:write",
				"deploy:production");
	}

	@Test
	void shouldRefuseANarrowingThatAddsOrKeepsEverything() {
		detected();

		assertThatThrownBy(() -> this.scenario.decide("carol", "NARROW", Map.of("narrowedTo", "iam:admin,repo:read")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("narrowing cannot add");
		assertThatThrownBy(
				() -> this.scenario.decide("carol", "NARROW", Map.of("narrowedTo", "iam:admin, deploy:production")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("some but not all");
		assertThat(this.scenario.task(ApprovalGateProcess.TASK_APPROVE)).isNotNull();
	}

	@Test
	void shouldKeepEveryPrivilegeWhenRejected() {
		ProcessInstance instance = detected();

		this.scenario.rejectAs("carol");

		assertThat(instance).isEnded().hasPassed("EndEvent_ReductionRejected");
		assertThat(this.scenario.identity().privileges()).hasSize(4);
	}

	@Test
	void shouldKeepEveryPrivilegeWhenNobodyDecidesInTime() {
		ProcessInstance instance = detected();

		this.scenario.fireTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);

		assertThat(instance).isEnded().hasPassed("EndEvent_ReductionExpired");
		assertThat(this.scenario.status()).isEqualTo(ResponseStatus.EXPIRED);
		assertThat(this.scenario.identity().privileges()).hasSize(4);
	}

	@Test
	void shouldRefuseADetectionWithoutUsageEvidence() {
		PlaybookScenario bare = new PlaybookScenario(this.engine, this.inventory, this.responses, Environment.STAGING,
				"team-test", false);

		assertThatThrownBy(() -> bare.start("privilege-reduction", Severity.MEDIUM, Environment.STAGING, null, null,
				"scanner"))
			.isInstanceOf(ApiException.class)
			.hasMessageContaining("usedPrivileges");
	}

}
