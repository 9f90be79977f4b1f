package io.countersign.action;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Exactly what an approved action will change. Only {@code type}, {@code target} and
 * {@code parameters} are fingerprinted: they are what the connector executes.
 */
public record StagedAction(String type, String target, JsonNode parameters) {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	public StagedAction {
		if (type == null || type.isBlank() || target == null || target.isBlank()) {
			throw new IllegalArgumentException("A staged action needs a type and a target");
		}
		if (parameters == null || !parameters.isObject()) {
			throw new IllegalArgumentException("Staged action parameters must be a JSON object");
		}
	}

	public static StagedAction fromJson(String json) {
		try {
			JsonNode node = MAPPER.readTree(json);
			return new StagedAction(node.path("type").asText(null), node.path("target").asText(null),
					node.get("parameters"));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("Staged action is not valid JSON", ex);
		}
	}

	public ObjectNode toJsonNode() {
		ObjectNode node = MAPPER.createObjectNode();
		node.put("type", this.type);
		node.put("target", this.target);
		node.set("parameters", this.parameters.deepCopy());
		return node;
	}

	public String toJson() {
		return CanonicalJson.write(toJsonNode());
	}

	/** {@code sha256:} followed by the hex SHA-256 of the canonical JSON of type, target and parameters. */
	public String fingerprint() {
		return sha256(toJson());
	}

	public static String sha256(String text) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return "sha256:" + HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

	public String parameter(String name) {
		JsonNode value = this.parameters.get(name);
		if (value == null || value.isNull()) {
			throw new IllegalArgumentException("Staged action " + this.type + " has no parameter '" + name + "'");
		}
		return value.asText();
	}

	/**
	 * A text parameter a connector cannot act without.
	 * @throws ConnectorException when it is missing, not text, or blank: the action is refused, not retried
	 */
	public String textParameter(String name) {
		JsonNode value = this.parameters.get(name);
		if (value == null || !value.isTextual() || value.asText().isBlank()) {
			throw new ConnectorException(this.type + " needs a text parameter '" + name + "'");
		}
		return value.asText();
	}

	public int intParameter(String name) {
		JsonNode value = this.parameters.get(name);
		if (value == null || !value.canConvertToInt()) {
			throw new IllegalArgumentException("Staged action " + this.type + " has no integer parameter '" + name + "'");
		}
		return value.intValue();
	}

}
