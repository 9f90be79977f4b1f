package io.countersign.agent;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** bpmn/agent-tool-policy.dmn as deployed, and the checks that make a broken rule deny rather than allow. */
@ProcessEngineTest
class ToolPolicyTest {

	@Autowired
	ToolPolicy policy;

	@Autowired
	RepositoryService repositoryService;

	/** As the shipped agent-tool-access asks it: the policy deployed with it answers. */
	private ToolPolicyDecision evaluate(String tool) {
		return this.policy.evaluate(shippedProcess(), tool);
	}

	private String shippedProcess() {
		return this.repositoryService.createProcessDefinitionQuery()
			.processDefinitionKey(AgentToolAccessProcess.KEY)
			.latestVersion()
			.singleResult()
			.getId();
	}

	@Test
	void shouldReviewEveryPaymentsCallWithoutStandingGrants() {
		ToolPolicyDecision decision = evaluate("payments.refund");

		assertThat(decision.allowed()).isTrue();
		assertThat(decision.rule()).isEqualTo("payments-review-every-call");
		assertThat(decision.reviewerGroup()).isEqualTo("agent-reviewers");
		assertThat(decision.maxDurationSeconds()).isEqualTo(900);
		assertThat(decision.standingGrants()).isNull();
		assertThat(decision.version()).startsWith("agent-tool-policy:");
	}

	@Test
	void shouldForbidShellToolsAndAllowOthersUpToAWholeToolGrant() {
		assertThat(evaluate("shell.exec").allowed()).isFalse();
		assertThat(evaluate("shell.exec").rule()).isEqualTo("shell-forbidden");

		ToolPolicyDecision other = evaluate("tickets.close");
		assertThat(other.allowed()).isTrue();
		assertThat(other.standingGrants()).isEqualTo(GrantKind.TOOL);
		assertThat(other.maxGrantDays()).isEqualTo(30);
		assertThat(other.reviewTimeout()).isEqualTo(Duration.ofHours(4));
	}

	@Test
	void shouldDenyEveryToolWhenTheAskingProcessWasDeployedWithoutAPolicy() throws Exception {
		String shipped = shippedProcess();
		Deployment alone;
		try (InputStream bpmn = Files.newInputStream(Path.of("bpmn/agent-tool-access.bpmn"))) {
			alone = this.repositoryService.createDeployment()
				.name("agent-tool-access without its policy")
				.addInputStream("agent-tool-access.bpmn", bpmn)
				.deploy();
		}
		try {
			ProcessDefinition lone = this.repositoryService.createProcessDefinitionQuery()
				.deploymentId(alone.getId())
				.singleResult();

			ToolPolicyDecision decision = this.policy.evaluate(lone.getId(), "tickets.close");

			assertThat(decision.allowed()).isFalse();
			assertThat(decision.rule()).isEqualTo("deployment " + alone.getId()
					+ " holds no agent tool policy ('agent-tool-policy')");
			assertThat(decision.version()).isNull();
			// The shipped policy, still the latest version of its key, is not asked in its place.
			assertThat(this.policy.evaluate(shipped, "tickets.close").allowed()).isTrue();
		}
		finally {
			this.repositoryService.deleteDeployment(alone.getId(), true);
		}
	}

	@Test
	void shouldRefuseRuleOutputsThatMakeNoSense() {
		Map<String, Object> valid = new HashMap<>(Map.of("allowed", true, "reviewerGroup", "agent-reviewers",
				"reviewTimeout", "PT1H", "maxDurationSeconds", 900, "standingGrants", "TOOL", "maxGrantDays", 30));
		assertThat(ToolPolicy.decision("r", "v", valid).allowed()).isTrue();

		assertThatThrownBy(() -> ToolPolicy.decision("r", "v", with(valid, "reviewerGroup", "agents")))
			.hasMessageContaining("reviewerGroup");
		assertThatThrownBy(() -> ToolPolicy.decision("r", "v", with(valid, "maxGrantDays", 31)))
			.hasMessageContaining("maxGrantDays");
		assertThatThrownBy(() -> ToolPolicy.decision("r", "v", with(valid, "maxDurationSeconds", 90_000)))
			.hasMessageContaining("maxDurationSeconds");
		assertThatThrownBy(() -> ToolPolicy.decision("r", "v", with(valid, "standingGrants", "EVERYTHING")))
			.hasMessageContaining("standingGrants");
		assertThatThrownBy(() -> ToolPolicy.decision("r", "v", with(valid, "reviewTimeout", "soon")))
			.hasMessageContaining("reviewTimeout");
		assertThat(ToolPolicy.decision("r", "v", with(valid, "allowed", null)).allowed()).isFalse();
	}

	private static Map<String, Object> with(Map<String, Object> outputs, String name, Object value) {
		Map<String, Object> changed = new HashMap<>(outputs);
		changed.put(name, value);
		return changed;
	}

}
