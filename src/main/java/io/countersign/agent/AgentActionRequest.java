package io.countersign.agent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.api.ApiException;
import io.countersign.toolserver.ToolCallVerifier;

import org.springframework.http.HttpStatus;

/**
 * What an agent asks for: one call of one tool with these exact arguments, for this long. Every limit is checked in
 * {@link #validated()}, so that an agent learns which field to fix.
 *
 * @param scope OAuth-style scope tokens separated by single spaces, optional; a reviewer may approve a subset
 */
record AgentActionRequest(String agent, String tool, JsonNode arguments, String purpose, String scope,
		Integer durationSeconds) {

	static final int MAX_ARGUMENTS_BYTES = 64 * 1024;

	static final int MAX_PURPOSE_LENGTH = 1000;

	static final int MAX_SCOPE_LENGTH = 1000;

	static final int MIN_DURATION_SECONDS = 10;

	static final int MAX_DURATION_SECONDS = 86_400;

	static final Pattern AGENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	/** RFC 6749 scope-token characters. */
	static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

	/** The request with its arguments in canonical form, ready to hash and store. */
	record Validated(String agent, String tool, String argumentsJson, String argumentsHash, String purpose,
			List<String> scope, int durationSeconds) {

		String scopeText() {
			return String.join(" ", this.scope);
		}

	}

	Validated validated() {
		if (this.agent == null || !AGENT.matcher(this.agent).matches()) {
			throw invalid("agent", "agent is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a "
					+ "letter or digit");
		}
		// One spelling from here on: the policy, the stored request, the grant match and the receipt all see it.
		String normalizedTool;
		try {
			normalizedTool = ToolCallVerifier.normalizeToolName(this.tool);
		}
		catch (IllegalArgumentException ex) {
			throw invalid("tool", ex.getMessage());
		}
		if (this.arguments == null || this.arguments.isNull()) {
			throw invalid("arguments", "arguments is required: a JSON object, {} when the tool takes none");
		}
		if (!this.arguments.isObject()) {
			throw invalid("arguments", "arguments must be a JSON object, not " + describe(this.arguments));
		}
		String canonical;
		try {
			canonical = ToolCallVerifier.canonicalJson(this.arguments.toString());
		}
		catch (IllegalArgumentException ex) {
			throw invalid("arguments", ex.getMessage());
		}
		int bytes = canonical.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > MAX_ARGUMENTS_BYTES) {
			throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "arguments are " + bytes
					+ " bytes as canonical JSON; the limit is " + MAX_ARGUMENTS_BYTES + " bytes", "arguments");
		}
		if (this.purpose == null || this.purpose.isBlank() || this.purpose.length() > MAX_PURPOSE_LENGTH) {
			throw invalid("purpose", "purpose is required: why the agent needs this call, 1 to "
					+ MAX_PURPOSE_LENGTH + " characters");
		}
		List<String> scopes = scopeTokens(this.scope, "scope");
		if (this.durationSeconds == null || this.durationSeconds < MIN_DURATION_SECONDS
				|| this.durationSeconds > MAX_DURATION_SECONDS) {
			throw invalid("durationSeconds", "durationSeconds is required: from " + MIN_DURATION_SECONDS + " to "
					+ MAX_DURATION_SECONDS + " seconds");
		}
		return new Validated(this.agent, normalizedTool, canonical, ToolCallVerifier.argumentsHash(normalizedTool, canonical),
				this.purpose.strip(), scopes, this.durationSeconds);
	}

	/** Space-separated scope tokens, each once, in the order given; empty or {@code null} is no scope. */
	static List<String> scopeTokens(String scope, String field) {
		if (scope == null || scope.isBlank()) {
			return List.of();
		}
		if (scope.length() > MAX_SCOPE_LENGTH) {
			throw invalid(field, field + " is longer than " + MAX_SCOPE_LENGTH + " characters");
		}
		List<String> tokens = Arrays.stream(scope.strip().split(" +")).distinct().toList();
		for (String token : tokens) {
			if (!SCOPE_TOKEN.matcher(token).matches()) {
				throw invalid(field, field + " token '" + token + "' has a character outside printable ASCII, or a "
						+ "quote or backslash");
			}
		}
		return tokens;
	}

	private static String describe(JsonNode node) {
		return switch (node.getNodeType()) {
			case ARRAY -> "an array";
			case STRING -> "a string";
			case NUMBER -> "a number";
			case BOOLEAN -> "a boolean";
			default -> node.getNodeType().name().toLowerCase();
		};
	}

	private static ApiException invalid(String field, String message) {
		return new ApiException(HttpStatus.BAD_REQUEST, message, field);
	}

}
