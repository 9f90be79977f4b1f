package io.countersign.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.countersign.api.TextRules;

/**
 * Reads agents' JSON exactly: decimals as {@code BigDecimal} (a double would round {@code 0.10000000000000000001}
 * and the tool server's hash of what it really received would not match), duplicate keys refused, nothing after
 * the value, no text that cannot be stored or hashed ({@link TextRules}).
 */
final class AgentJson {

	static final ObjectMapper MAPPER = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
				DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
		// "900" or 1.5 for a number of seconds is a client bug to report, not a value to guess.
		.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
		.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
		.addModule(TextRules.module())
		.nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
		.build();

	private AgentJson() {
	}

}
