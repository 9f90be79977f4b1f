package io.countersign.api;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * Text the service can store and hash the same way on every database: PostgreSQL refuses U+0000 in text, and a lone
 * UTF-16 surrogate has no UTF-8 form, so the canonical JSON that hashes a request cannot be written. Both are refused
 * where JSON is read, as a 400 naming the field, instead of failing later inside an insert or a hash.
 */
public final class TextRules {

	private TextRules() {
	}

	/** Null when {@code text} may be stored, else why not. */
	public static String problem(CharSequence text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\u0000') {
				return "contains U+0000 (NUL), which is not allowed in text";
			}
			if (Character.isHighSurrogate(c)) {
				if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
					i++;
					continue;
				}
				return "contains an unpaired UTF-16 surrogate, which is not valid Unicode";
			}
			if (Character.isLowSurrogate(c)) {
				return "contains an unpaired UTF-16 surrogate, which is not valid Unicode";
			}
		}
		return null;
	}

	/**
	 * Applies the rule to every string and every JSON tree (values and field names) a mapper reads; a string field
	 * takes only a JSON string.
	 */
	public static Module module() {
		SimpleModule module = new SimpleModule("countersign-text-rules");
		module.addDeserializer(String.class, new CheckedString());
		module.addDeserializer(JsonNode.class, new CheckedTree<>(JsonNode.class));
		return module;
	}

	private static final class CheckedString extends StdDeserializer<String> {

		CheckedString() {
			super(String.class);
		}

		@Override
		public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
			if (!parser.hasToken(JsonToken.VALUE_STRING)) {
				// Jackson would turn 12345 or true into text; a client sending them has the field's type wrong.
				return (String) context.handleUnexpectedToken(String.class, parser);
			}
			String value = StringDeserializer.instance.deserialize(parser, context);
			return check(parser, value);
		}

	}

	private static final class CheckedTree<T extends JsonNode> extends StdDeserializer<T> {

		CheckedTree(Class<T> type) {
			super(type);
		}

		@Override
		@SuppressWarnings("unchecked")
		public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
			JsonDeserializer<? extends JsonNode> trees = JsonNodeDeserializer.getDeserializer(JsonNode.class);
			JsonNode tree = trees.deserialize(parser, context);
			walk(parser, tree);
			return (T) tree;
		}

		@Override
		@SuppressWarnings("unchecked")
		public T getNullValue(DeserializationContext context) {
			// As Jackson's own tree reader: a JSON null is a NullNode, not a Java null.
			return (T) NullNode.getInstance();
		}

		private static void walk(JsonParser parser, JsonNode node) throws IOException {
			if (node.isTextual()) {
				check(parser, node.textValue());
			}
			else if (node.isObject()) {
				for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
					Map.Entry<String, JsonNode> field = fields.next();
					check(parser, field.getKey());
					walk(parser, field.getValue());
				}
			}
			else if (node.isArray()) {
				for (JsonNode element : node) {
					walk(parser, element);
				}
			}
		}

	}

	private static String check(JsonParser parser, String value) throws IOException {
		String problem = (value == null) ? null : problem(value);
		if (problem != null) {
			throw new InvalidFormatException(parser, problem, value, String.class);
		}
		return value;
	}

}
