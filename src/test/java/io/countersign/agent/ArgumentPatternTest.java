package io.countersign.agent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgumentPatternTest {

	@Test
	void shouldMatchGlobsPerArgumentAndRequireExactlyTheNamedArguments() {
		ArgumentPattern pattern = ArgumentPattern.parse("{\"orderId\": \"ORD-*\", \"amount\": \"25\"}");

		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 25}"))).isTrue();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 25.0}"))).isTrue();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 26}"))).isFalse();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"INV-9\", \"amount\": 25}"))).isFalse();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\"}"))).isFalse();
		assertThat(pattern.matches(AgentScenario.json("{\"orderId\": \"ORD-9\", \"amount\": 25, \"x\": 1}")))
			.isFalse();
	}

	@Test
	void shouldTreatEscapedStarsLiterallyAndMatchNonStringsAsCanonicalJson() {
		assertThat(ArgumentPattern.globMatches("a\\*b", "a*b")).isTrue();
		assertThat(ArgumentPattern.globMatches("a\\*b", "axb")).isFalse();
		assertThat(ArgumentPattern.globMatches("*", "")).isTrue();
		assertThat(ArgumentPattern.globMatches("a*b*c", "aXXbYYc")).isTrue();
		assertThat(ArgumentPattern.globMatches("a*b*c", "aXXbYY")).isFalse();
		ArgumentPattern list = ArgumentPattern.parse("{\"ids\": \"[1,2,*]\"}");
		assertThat(list.matches(AgentScenario.json("{\"ids\": [1, 2, 3]}"))).isTrue();
	}

	@Test
	void shouldBuildTheLiteralPatternOfACall() {
		String literal = ArgumentPattern.literalFor(AgentScenario.json("{\"q\": \"a*b\", \"n\": 1.50}"));

		assertThat(ArgumentPattern.parse(literal).matches(AgentScenario.json("{\"q\": \"a*b\", \"n\": 1.5}")))
			.isTrue();
		assertThat(ArgumentPattern.parse(literal).matches(AgentScenario.json("{\"q\": \"aXb\", \"n\": 1.5}")))
			.isFalse();
	}

	@Test
	void shouldMatchAHostilePatternInBoundedTime() {
		String value = "a".repeat(20_000);
		// Exponential with naive backtracking; linear-times-pattern here.
		assertThat(ArgumentPattern.globMatches("*a*a*a*a*a*a*a*a*a*a*b", value)).isFalse();
	}

	@Test
	void shouldRefuseAPatternThatIsNotAnObjectOfStrings() {
		assertThatThrownBy(() -> ArgumentPattern.parse("[\"*\"]")).hasMessageContaining("JSON object");
		assertThatThrownBy(() -> ArgumentPattern.parse("{\"n\": 1}")).hasMessageContaining("string glob");
		assertThatThrownBy(() -> ArgumentPattern.parse("{\"n\": ")).hasMessageContaining("not valid JSON");
	}

}
