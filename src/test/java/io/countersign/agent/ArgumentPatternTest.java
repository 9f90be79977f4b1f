package io.countersign.agent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgumentPatternTest {

	@Test
	void shouldMatchGlobsPerArgumentAndRequireExactlyTheNamedArguments() {
		ArgumentPattern pattern = ArgumentPattern.parse("{\"orderId\": \"ORD-*\", \"amount\": 25}");

		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 25}"))).isTrue();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 25.0}"))).isTrue();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 26}"))).isFalse();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"INV-9\", \"amount\": 25}"))).isFalse();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\"}"))).isFalse();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 25, \"x\": 1}")))
			.isFalse();
	}

	@Test
	void shouldRefuseNumericPatternMatchingTheStringOfTheNumber() {
		ArgumentPattern number = ArgumentPattern.parse("{\"amount\": 25}");
		ArgumentPattern string = ArgumentPattern.parse("{\"amount\": \"25\"}");

		assertThat(number.matches(AgentScenario.json("{\"amount\": \"25\"}"))).isFalse();
		assertThat(string.matches(AgentScenario.json("{\"amount\": 25}"))).isFalse();
		assertThat(string.matches(AgentScenario.json("{\"amount\": \"25\"}"))).isTrue();
		assertThat(ArgumentPattern.parse("{\"amount\": \"*\"}").matches(AgentScenario.json("{\"amount\": 25}")))
			.as("a glob is for strings only")
			.isFalse();
	}

	@Test
	void shouldMatchBooleansNullsAndStructuresOnlyByTypeAndValue() {
		ArgumentPattern flag = ArgumentPattern.parse("{\"dryRun\": true}");
		assertThat(flag.matches(AgentScenario.json("{\"dryRun\": true}"))).isTrue();
		assertThat(flag.matches(AgentScenario.json("{\"dryRun\": \"true\"}"))).isFalse();
		assertThat(flag.matches(AgentScenario.json("{\"dryRun\": 1}"))).isFalse();
		assertThat(flag.matches(AgentScenario.json("{\"dryRun\": false}"))).isFalse();
		ArgumentPattern none = ArgumentPattern.parse("{\"note\": null}");
		assertThat(none.matches(AgentScenario.json("{\"note\": null}"))).isTrue();
		assertThat(none.matches(AgentScenario.json("{\"note\": \"null\"}"))).isFalse();
		ArgumentPattern list = ArgumentPattern.parse("{\"ids\": [1, 2.0, 3]}");
		assertThat(list.matches(AgentScenario.json("{\"ids\": [1, 2, 3]}"))).isTrue();
		assertThat(list.matches(AgentScenario.json("{\"ids\": \"[1,2,3]\"}"))).isFalse();
		assertThat(list.matches(AgentScenario.json("{\"ids\": [1, 2, 4]}"))).isFalse();
	}

	@Test
	void shouldTreatEscapedStarsLiterally() {
		assertThat(ArgumentPattern.globMatches("a\\*b", "a*b")).isTrue();
		assertThat(ArgumentPattern.globMatches("a\\*b", "axb")).isFalse();
		assertThat(ArgumentPattern.globMatches("*", "")).isTrue();
		assertThat(ArgumentPattern.globMatches("a*b*c", "aXXbYYc")).isTrue();
		assertThat(ArgumentPattern.globMatches("a*b*c", "aXXbYY")).isFalse();
	}

	@Test
	void shouldBuildTheLiteralPatternOfACall() {
		String literal = ArgumentPattern.literalFor(AgentScenario.json("{\"q\": \"a*b\", \"n\": 1.50, \"f\": false}"));

		assertThat(literal).isEqualTo("{\"f\":false,\"n\":1.5,\"q\":\"a\\\\*b\"}");
		assertThat(ArgumentPattern.parse(literal)
			.matches(AgentScenario.json("{\"q\": \"a*b\", \"n\": 1.5, \"f\": false}"))).isTrue();
		assertThat(ArgumentPattern.parse(literal)
			.matches(AgentScenario.json("{\"q\": \"aXb\", \"n\": 1.5, \"f\": false}"))).isFalse();
		assertThat(ArgumentPattern.parse(literal)
			.matches(AgentScenario.json("{\"q\": \"a*b\", \"n\": \"1.5\", \"f\": false}"))).isFalse();
	}

	@Test
	void shouldMatchAHostilePatternInBoundedTime() {
		String value = "a".repeat(20_000);
		// Exponential with naive backtracking; linear-times-pattern here.
		assertThat(ArgumentPattern.globMatches("*a*a*a*a*a*a*a*a*a*a*b", value)).isFalse();
	}

	@Test
	void shouldRefuseAPatternThatIsNotAnObject() {
		assertThatThrownBy(() -> ArgumentPattern.parse("[\"*\"]")).hasMessageContaining("JSON object");
		assertThatThrownBy(() -> ArgumentPattern.parse("{\"n\": ")).hasMessageContaining("not valid JSON");
		assertThatThrownBy(() -> ArgumentPattern.parse("{\"n\": [\"" + "x".repeat(1_001) + "\"]}"))
			.hasMessageContaining("longer than");
	}

}
