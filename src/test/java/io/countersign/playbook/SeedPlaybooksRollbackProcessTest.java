package io.countersign.playbook;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionConnector;
import io.countersign.action.ConnectorException;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.support.PlaybookScenario;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.willThrow;

/**
 * Every seed playbook's change really lands, then the connector's verification fails: the guarded action must undo
 * exactly what it applied and end the response rolled back.
 */
@ProcessEngineTest
class SeedPlaybooksRollbackProcessTest {

	@Autowired
	ProcessEngine engine;

	@Autowired
	Responses responses;

	@Autowired
	Inventory inventory;

	/** The real inventory connector; only its verification is made to fail. */
	@MockitoSpyBean(name = "inventoryConnector")
	ActionConnector connector;

	@BeforeEach
	void verificationFails() {
		willThrow(new ConnectorException("the target still shows the old state")).given(this.connector)
			.verify(any());
	}

	private PlaybookScenario scenario() {
		return new PlaybookScenario(this.engine, this.inventory, this.responses, Environment.STAGING, "team-test",
				false);
	}

	@Test
	void shouldReEnableTheCredentialWhenRevocationCannotBeVerified() {
		PlaybookScenario scenario = scenario();
		ProcessInstance instance = scenario.start("credential-revocation", Severity.HIGH, Environment.STAGING,
				scenario.tokenId, null, "scanner");

		scenario.approveAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_RevocationRolledBack");
		assertThat(scenario.status()).isEqualTo(ResponseStatus.ROLLED_BACK);
		assertThat(scenario.credentialStatus(scenario.tokenId)).isEqualTo(CredentialStatus.ACTIVE);
		assertThat(scenario.timeline()).containsSubsequence("APPLIED", "RESTORED", "ROLLED_BACK");
	}

	@Test
	void shouldGrantThePrivilegesBackWhenReductionCannotBeVerified() {
		PlaybookScenario scenario = scenario();
		ObjectNode evidence = JsonNodeFactory.instance.objectNode();
		evidence.set("usedPrivileges", JsonNodeFactory.instance.arrayNode().add("repo:read"));
		ProcessInstance instance = scenario.start("privilege-reduction", Severity.MEDIUM, Environment.STAGING, null,
				evidence, "scanner");

		scenario.approveAs("carol");

		assertThat(instance).isEnded().hasPassed("EndEvent_ReductionRolledBack");
		assertThat(scenario.identity().privileges()).containsExactlyInAnyOrderElementsOf(PlaybookScenario.PRIVILEGES);
	}

	@Test
	void shouldReleaseTheIdentityWhenQuarantineCannotBeVerified() {
		PlaybookScenario scenario = scenario();
		ProcessInstance instance = scenario.start("identity-quarantine", Severity.HIGH, Environment.STAGING, null,
				null, "scanner");

		scenario.approveAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_QuarantineRolledBack");
		assertThat(scenario.identity().status()).isEqualTo(IdentityStatus.ACTIVE);
	}

	@Test
	void shouldDeIsolateTheWorkloadWhenIsolationCannotBeVerified() {
		PlaybookScenario scenario = scenario();
		ProcessInstance instance = scenario.start("workload-isolation", Severity.HIGH, Environment.STAGING, null,
				JsonNodeFactory.instance.objectNode().put("workload", "deploy-pipeline"), "scanner");
		scenario.complete("Task_ValidateWorkload", "alice",
				Map.of("customerFacingConfirmed", false, "reason", "Internal build runner"));

		scenario.approveAs("alice");

		assertThat(instance).isEnded().hasPassed("EndEvent_IsolationRolledBack");
		assertThat(scenario.identity().consumers()).noneMatch(Identity.Consumer::isolated);
	}

	@Test
	void shouldReEnableTheTrustAndPartnerCredentialsWhenDisableCannotBeVerified() {
		PlaybookScenario scenario = scenario();
		ProcessInstance instance = scenario.start("federated-credential-disable", Severity.HIGH, Environment.STAGING,
				scenario.trustId, null, "scanner");

		scenario.decide("alice", "APPROVE", Map.of("fallbackPath", "Manual exports by the partner desk"));

		assertThat(instance).isEnded().hasPassed("EndEvent_FederationRolledBack");
		for (String credential : List.of(scenario.trustId, scenario.partnerKeyId, scenario.tokenId)) {
			assertThat(scenario.credentialStatus(credential)).as(credential).isEqualTo(CredentialStatus.ACTIVE);
		}
	}

}
