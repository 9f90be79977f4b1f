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

	@ParameterizedTest(name = "{0} {1} {2} {3} customerFacing={4} -> {5}")
	@CsvSource({
			// actionType, environment, severity, privilegeLevel, customerFacing -> rule, group, n, containFirst, requiredGroup, rollbackWindow
			"credential.disable, production, critical, read, false, revoke-production-critical, secops-analysts, 1, true, , PT24H",
			"credential.disable, production, high, admin, true, revoke-production, secops-analysts, 1, false, , PT24H",
			"credential.disable, staging, critical, read, false, revoke, secops-analysts, 1, false, , P7D",
			"credential.enable, production, critical, admin, true, restore-credential, secops-analysts, 1, , , ",
			"identity.privileges.reduce, production, low, admin, false, reduce-production-admin, access-owners, 2, , , ",
			"identity.privileges.reduce, production, low, write, false, reduce-privileges, access-owners, 1, , , ",
			"identity.quarantine, production, critical, read, false, quarantine-production-critical, secops-analysts, 1, true, , P30D",
			"identity.quarantine, staging, critical, read, false, quarantine, secops-analysts, 1, false, , P30D",
			"identity.release, production, critical, read, false, release-quarantine, security-leads, 1, , , ",
			"workload.isolate, production, high, read, true, isolate-customer-facing, secops-analysts, 2, false, security-leads, ",
			"workload.isolate, production, critical, admin, false, isolate-workload, secops-analysts, 1, , , ",
			"federation.disable, production, critical, read, false, disable-federation, secops-analysts, 1, , , " })
	void shouldAnswerEachRuleOfTheSeedPlaybooks(String actionType, String environment, String severity,
			String privilegeLevel, boolean customerFacing, String rule, String group, int required, Boolean containFirst,
			String requiredGroup, String rollbackWindow) {
		DmnDecisionTableResult result = evaluate(actionType, environment, severity, privilegeLevel, customerFacing);

		Map<String, Object> outputs = result.getFirstResult().getEntryMap();
		assertThat(outputs).containsEntry("policyRule", rule).containsEntry("approverGroup", group);
		assertThat(((Number) outputs.get("requiredApprovals")).intValue()).isEqualTo(required);
		// Containment before the decision is off unless a rule says true.
		assertThat(Boolean.TRUE.equals(outputs.get("containFirst"))).isEqualTo(Boolean.TRUE.equals(containFirst));
		assertThat(outputs.get("requiredGroup")).isEqualTo(requiredGroup);
		assertThat(outputs.get("rollbackWindow")).isEqualTo(rollbackWindow);
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
