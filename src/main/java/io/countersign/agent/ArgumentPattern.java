package io.countersign.agent;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.toolserver.ToolCallVerifier;

/**
 * The arguments a standing grant of kind {@link GrantKind#ARGUMENT_PATTERN} covers: a JSON object naming every
 * top-level argument, each with what its value must be. A call matches when it has exactly those arguments and each
 * value matches, type included: a string pattern is a glob and matches strings only; a number matches only a number of
 * the same value ({@code 25} and {@code 25.00}, never {@code "25"}); {@code true}, {@code false} and {@code null} only
 * themselves; an array or object only the same value, as canonical JSON. A tool that reads {@code "25"} and {@code 25}
 * differently must not run one under a grant a reviewer gave for the other. In a glob {@code *} stands for any run of
 * characters, {@code \*} for a star and {@code \\} for a backslash; everything else stands for itself.
 */
final class ArgumentPattern {

	static final int MAX_JSON_LENGTH = 16_000;

	static final int MAX_GLOB_LENGTH = 1_000;

	private static final ObjectMapper MAPPER = AgentJson.MAPPER;

	/** Argument name to pattern value, as canonical JSON nodes. */
	private final Map<String, JsonNode> patterns;

	private ArgumentPattern(Map<String, JsonNode> patterns) {
		this.patterns = patterns;
	}

	/** @throws IllegalArgumentException with a message for the reviewer when the pattern is not usable */
	static ArgumentPattern parse(String json) {
		if (json == null || json.isBlank()) {
			throw new IllegalArgumentException("an argument pattern is required for a pattern grant");
		}
		if (json.length() > MAX_JSON_LENGTH) {
			throw new IllegalArgumentException("the argument pattern is longer than " + MAX_JSON_LENGTH + " characters");
		}
		JsonNode node;
		try {
			node = MAPPER.readTree(ToolCallVerifier.canonicalJson(json));
		}
		catch (JsonProcessingException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("the argument pattern is not valid JSON: " + ex.getMessage());
		}
		if (!node.isObject()) {
			throw new IllegalArgumentException("the argument pattern must be a JSON object of argument name to pattern");
		}
		Map<String, JsonNode> patterns = new TreeMap<>();
		Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
		while (fields.hasNext()) {
			Map.Entry<String, JsonNode> field = fields.next();
			JsonNode value = field.getValue();
			int length = value.isTextual() ? value.textValue().length() : value.toString().length();
			if (length > MAX_GLOB_LENGTH) {
				throw new IllegalArgumentException("the pattern for argument '" + field.getKey() + "' is longer than "
						+ MAX_GLOB_LENGTH + " characters");
			}
			patterns.put(field.getKey(), value);
		}
		return new ArgumentPattern(patterns);
	}

	/** The narrowest pattern that matches {@code arguments}: every value literal, of its own type. */
	static String literalFor(JsonNode arguments) {
		ObjectNode pattern = MAPPER.createObjectNode();
		arguments.fields().forEachRemaining(field -> {
			if (field.getValue().isTextual()) {
				pattern.put(field.getKey(), escape(field.getValue().textValue()));
			}
			else {
				pattern.set(field.getKey(), field.getValue());
			}
		});
		return ToolCallVerifier.canonicalJson(pattern.toString());
	}

	boolean matches(JsonNode arguments) {
		if (arguments == null || !arguments.isObject() || arguments.size() != this.patterns.size()) {
			return false;
		}
		for (Map.Entry<String, JsonNode> pattern : this.patterns.entrySet()) {
			JsonNode value = arguments.get(pattern.getKey());
			if (value == null || !valueMatches(pattern.getValue(), value)) {
				return false;
			}
		}
		return true;
	}

	private static boolean valueMatches(JsonNode pattern, JsonNode value) {
		if (pattern.isTextual()) {
			return value.isTextual() && globMatches(pattern.textValue(), value.textValue());
		}
		if (pattern.getNodeType() != value.getNodeType()) {
			return false;
		}
		return canonical(pattern).equals(canonical(value));
	}

	/** Every argument may be any string: as wide as a grant of the whole tool, for calls with these arguments. */
	boolean anyValue() {
		return this.patterns.values().stream().allMatch(pattern -> pattern.isTextual() && "*".equals(pattern.textValue()));
	}

	String json() {
		ObjectNode json = MAPPER.createObjectNode();
		this.patterns.forEach(json::set);
		return ToolCallVerifier.canonicalJson(json.toString());
	}

	private static String canonical(JsonNode value) {
		return ToolCallVerifier.canonicalJson(value.toString());
	}

	private static String escape(String literal) {
		return literal.replace("\\", "\\\\").replace("*", "\\*");
	}

	/**
	 * Linear-space glob matching with backtracking to the last star only, so a hostile pattern costs at most
	 * pattern length times value length steps, never exponential time.
	 */
	static boolean globMatches(String glob, String value) {
		StringBuilder literal = new StringBuilder();
		java.util.BitSet stars = new java.util.BitSet();
		for (int i = 0; i < glob.length(); i++) {
			char c = glob.charAt(i);
			if (c == '\\' && i + 1 < glob.length() && (glob.charAt(i + 1) == '*' || glob.charAt(i + 1) == '\\')) {
				literal.append(glob.charAt(++i));
			}
			else if (c == '*') {
				stars.set(literal.length());
				literal.append('*');
			}
			else {
				literal.append(c);
			}
		}
		int p = 0;
		int v = 0;
		int starAt = -1;
		int resumeAt = 0;
		while (v < value.length()) {
			if (p < literal.length() && !stars.get(p) && literal.charAt(p) == value.charAt(v)) {
				p++;
				v++;
			}
			else if (p < literal.length() && stars.get(p)) {
				starAt = p++;
				resumeAt = v;
			}
			else if (starAt >= 0) {
				p = starAt + 1;
				v = ++resumeAt;
			}
			else {
				return false;
			}
		}
		while (p < literal.length() && stars.get(p)) {
			p++;
		}
		return p == literal.length();
	}

}
