package io.countersign.modelchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ModelDiffTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private static final String POLICY = classpath("bpmn/approval-policy.dmn");

	private static final String GATE = classpath("bpmn/approval-gate.bpmn");

	@Test
	void shouldMarkALoweredQuorumAsWeakening() {
		String lowered = POLICY.replace("OutputEntry_RotateProductionCritical_RequiredApprovals\">\n          <text>2</text>",
				"OutputEntry_RotateProductionCritical_RequiredApprovals\">\n          <text>1</text>");

		List<ModelDiff.Finding> findings = ModelDiff.of("approval-policy.dmn", POLICY, lowered, MAPPER);

		assertThat(findings).singleElement().satisfies(finding -> {
			assertThat(finding.kind()).isEqualTo("quorum-lowered");
			assertThat(finding.element()).isEqualTo("Rule_RotateProductionCritical");
			assertThat(finding.weakens()).isTrue();
			assertThat(finding.text()).isEqualTo("WEAKENS approval-policy.dmn: rule Rule_RotateProductionCritical: "
					+ "requiredApprovals 2 -> 1 (lowers the quorum)");
		});
	}

	@Test
	void shouldMarkARaisedQuorumAsNotWeakening() {
		String raised = POLICY.replace("OutputEntry_RotateProductionCritical_RequiredApprovals\">\n          <text>2</text>",
				"OutputEntry_RotateProductionCritical_RequiredApprovals\">\n          <text>3</text>");

		assertThat(ModelDiff.of("approval-policy.dmn", POLICY, raised, MAPPER)).singleElement()
			.satisfies(finding -> {
				assertThat(finding.kind()).isEqualTo("quorum-raised");
				assertThat(finding.weakens()).isFalse();
			});
	}

	@Test
	void shouldReportChangedApproverGroupAndReorderedRules() {
		String critical = rule(POLICY, "Rule_RotateProductionCritical");
		String admin = rule(POLICY, "Rule_RotateProductionAdmin");
		String swapped = POLICY.replace(critical + admin, admin + critical)
			.replaceFirst("<text>\"platform-owners\"</text>", "<text>\"integrators\"</text>");

		List<ModelDiff.Finding> findings = ModelDiff.of("approval-policy.dmn", POLICY, swapped, MAPPER);

		assertThat(findings).extracting(ModelDiff.Finding::kind).contains("rule-order-changed", "group-changed");
		assertThat(findings).allSatisfy(finding -> assertThat(finding.weakens()).isTrue());
	}

	@Test
	void shouldReportWhoMayCompleteTheApprovalTaskAsAWeakeningChange() {
		String anyone = GATE.replace("camunda:candidateGroups=\"${candidateGroups}\"",
				"camunda:candidateGroups=\"integrators\"");

		List<ModelDiff.Finding> findings = ModelDiff.of("approval-gate.bpmn", GATE, anyone, MAPPER);

		assertThat(findings).singleElement().satisfies(finding -> {
			assertThat(finding.kind()).isEqualTo("element-changed");
			assertThat(finding.element()).isEqualTo("Task_Approve");
			assertThat(finding.weakens()).isTrue();
			assertThat(finding.detail()).contains("candidateGroups ${candidateGroups} -> integrators");
		});
	}

	@Test
	void shouldRefuseXmlWithADoctypeWithoutReadingTheEntity() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ModelDiff.of("approval-policy.dmn", POLICY,
					"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><d>&x;</d>",
					MAPPER))
			.withMessageContaining("DTD");
	}

	private static String rule(String policy, String id) {
		int start = policy.indexOf("      <rule id=\"" + id + "\">");
		int end = policy.indexOf("</rule>\n", start) + "</rule>\n".length();
		return policy.substring(start, end);
	}

	private static String classpath(String path) {
		try (InputStream stream = ModelDiffTest.class.getClassLoader().getResourceAsStream(path)) {
			return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
