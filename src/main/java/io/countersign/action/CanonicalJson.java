package io.countersign.action;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Canonical JSON: object members sorted by name, no insignificant whitespace, UTF-8. Two
 * semantically equal documents always serialize to the same bytes, which is what makes a
 * fingerprint of an action stable across services, restarts and databases.
 */
public final class CanonicalJson {

	private static final ObjectMapper MAPPER = JsonMapper.builder()
		.disable(JsonWriteFeature.ESCAPE_NON_ASCII)
		.build();

	private CanonicalJson() {
	}

	public static String write(JsonNode node) {
		StringBuilderWriter out = new StringBuilderWriter();
		try (JsonGenerator generator = MAPPER.getFactory().createGenerator(out)) {
			writeNode(generator, node);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toString();
	}

	public static String write(String json) {
		try {
			return write(MAPPER.readTree(json));
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Not valid JSON", ex);
		}
	}

	private static void writeNode(JsonGenerator generator, JsonNode node) throws IOException {
		if (node == null || node.isNull() || node.isMissingNode()) {
			generator.writeNull();
		}
		else if (node.isObject()) {
			List<String> names = new ArrayList<>();
			node.fieldNames().forEachRemaining(names::add);
			Collections.sort(names);
			generator.writeStartObject();
			for (String name : names) {
				generator.writeFieldName(name);
				writeNode(generator, node.get(name));
			}
			generator.writeEndObject();
		}
		else if (node.isArray()) {
			generator.writeStartArray();
			for (JsonNode element : node) {
				writeNode(generator, element);
			}
			generator.writeEndArray();
		}
		else if (node.isIntegralNumber()) {
			generator.writeNumber(node.bigIntegerValue());
		}
		else if (node.isNumber()) {
			// Plain notation so 1.0E2 and 100.0 do not fingerprint differently.
			generator.writeNumber(node.decimalValue().stripTrailingZeros().toPlainString());
		}
		else if (node.isBoolean()) {
			generator.writeBoolean(node.booleanValue());
		}
		else {
			generator.writeString(node.asText());
		}
	}

	private static final class StringBuilderWriter extends java.io.Writer {

		private final StringBuilder builder = new StringBuilder();

		@Override
		public void write(char[] cbuf, int off, int len) {
			this.builder.append(cbuf, off, len);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

		@Override
		public String toString() {
			return this.builder.toString();
		}

	}

}
