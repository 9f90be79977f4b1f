package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every rule of {@code bpmn/approval-policy.dmn} as shipped, evaluated by the DMN engine alone: the table a process
 * designer edits in Camunda Modeler is the policy, so its answers are tested as such.
 */
class ApprovalPolicyDmnTest {

	private static DmnEngine engine;

	private static DmnDecision decision;

	@BeforeAll
	static void parsePolicy() throws Exception {
		engine = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
		try (InputStream in = Files.newInputStream(Path.of("bpmn/approval-policy.dmn"))) {
			decision = engine.parseDecision(ApprovalPolicy.DECISION_KEY, in);
		}
	}

	@ParameterizedTest(name = "{0} {1} {2} {3} customerFacing={4} -> {5}")
	@CsvSource({
			// actionType, environment, severity, privilegeLevel, customerFacing -> rule, group, n, escalate, escalation group, expire
			"credential.rotate, production, critical, read, false, rotate-production-critical, platform-owners, 2, PT1H, security-leads, PT8H",
			"credential.rotate, production, critical, admin, true, rotate-production-critical, platform-owners, 2, PT1H, security-leads, PT8H",
			"credential.rotate, production, high, admin, false, rotate-production-admin, platform-owners, 2, PT2H, security-leads, PT12H",
			"credential.rotate, production, low, admin, true, rotate-production-admin, platform-owners, 2, PT2H, security-leads, PT12H",
			"credential.rotate, production, high, write, true, rotate-production-customer-facing, platform-owners, 1, PT2H, security-leads, PT12H",
			"credential.rotate, production, medium, write, false, rotate-production, platform-owners, 1, PT4H, security-leads, PT24H",
			"credential.rotate, staging, critical, admin, true, rotate-staging, platform-owners, 1, PT8H, security-leads, P2D",
			"credential.rotate, development, critical, admin, true, rotate-development, platform-owners, 1, PT24H, security-leads, P3D",
			"credential.rotate, development, low, read, false, rotate-development, platform-owners, 1, PT24H, security-leads, P3D" })
	void shouldAnswerEachRule(String actionType, String environment, String severity, String privilegeLevel,
			boolean customerFacing, String rule, String group, int required, String escalateAfter,
			String escalationGroup, String expireAfter) {
		DmnDecisionTableResult result = evaluate(actionType, environment, severity, privilegeLevel, customerFacing);

		assertThat(result).hasSize(1);
		Map<String, Object> outputs = result.getSingleResult().getEntryMap();
		assertThat(outputs).containsEntry("policyRule", rule)
			.containsEntry("approverGroup", group)
			.containsEntry("escalateAfter", escalateAfter)
			.containsEntry("escalationGroup", escalationGroup)
			.containsEntry("expireAfter", expireAfter);
		assertThat(((Number) outputs.get("requiredApprovals")).intValue()).isEqualTo(required);
	}

	@ParameterizedTest(name = "{0} in {1} matches no rule")
	@CsvSource({ "credential.delete, production", "credential.rotate, sandbox", "'', production" })
	void shouldMatchNoRuleForAnActionThePolicyDoesNotName(String actionType, String environment) {
		assertThat(evaluate(actionType, environment, "critical", "admin", true)).isEmpty();
	}

	private static DmnDecisionTableResult evaluate(String actionType, String environment, String severity,
			String privilegeLevel, boolean customerFacing) {
		return engine.evaluateDecisionTable(decision,
				new PolicyInput(actionType, environment, severity, privilegeLevel, customerFacing).variables());
	}

}
