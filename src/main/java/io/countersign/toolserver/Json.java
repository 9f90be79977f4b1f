package io.countersign.toolserver;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Strict RFC 8259 JSON read into plain values, and written back in one canonical spelling. Written here rather than
 * borrowed because the server hashes arguments with this very code: any leniency (a duplicate key one side keeps
 * first and the other last, a number read as a double) would let the approved and the executed arguments differ
 * under one fingerprint.
 *
 * <p>Values are {@code Map<String, Object>} (members sorted by {@link String#compareTo}), {@code List<Object>},
 * {@code String}, {@code BigDecimal} (trailing zeros stripped), {@code Boolean} and {@code null}.
 */
final class Json {

	static final int MAX_LENGTH = 1_048_576;

	static final int MAX_DEPTH = 64;

	/** Bounds a number's significant digits and scale, so that {@code 1e1000000000} is refused before it costs. */
	static final int MAX_NUMBER_DIGITS = 1000;

	/** Exponents longer than this cannot be in range for a non-zero number; also keeps the arithmetic in a long. */
	private static final int MAX_EXPONENT_DIGITS = 18;

	private final String text;

	private int pos;

	private Json(String text) {
		this.text = text;
	}

	/** @throws IllegalArgumentException "not valid JSON: ..." with the offset of the fault */
	static Object parse(String text) {
		if (text == null) {
			throw new IllegalArgumentException("not valid JSON: no input");
		}
		if (text.length() > MAX_LENGTH) {
			throw new IllegalArgumentException("not valid JSON: longer than " + MAX_LENGTH + " characters");
		}
		Json parser = new Json(text);
		parser.skipWhitespace();
		Object value = parser.value(0);
		parser.skipWhitespace();
		if (parser.pos < text.length()) {
			throw parser.error("unexpected " + describe(text.charAt(parser.pos)) + " after the value");
		}
		return value;
	}

	/** Expects what {@link #parse} returns: its maps are sorted already. */
	static String canonical(Object value) {
		StringBuilder out = new StringBuilder();
		write(value, out);
		return out.toString();
	}

	static void writeString(String value, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append("\\u00").append(Character.forDigit(c >> 4, 16))
							.append(Character.forDigit(c & 0xf, 16));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

	private static void write(Object value, StringBuilder out) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof Boolean bool) {
			out.append(bool.booleanValue());
		}
		else if (value instanceof String string) {
			writeString(string, out);
		}
		else if (value instanceof BigDecimal number) {
			// Stripped already: an integral value has scale <= 0 and is written without exponent or point.
			out.append((number.scale() <= 0) ? number.toBigIntegerExact().toString() : number.toPlainString());
		}
		else if (value instanceof List<?> list) {
			out.append('[');
			for (int i = 0; i < list.size(); i++) {
				if (i > 0) {
					out.append(',');
				}
				write(list.get(i), out);
			}
			out.append(']');
		}
		else if (value instanceof Map<?, ?> map) {
			out.append('{');
			boolean first = true;
			for (Map.Entry<?, ?> member : map.entrySet()) {
				if (!first) {
					out.append(',');
				}
				first = false;
				writeString((String) member.getKey(), out);
				out.append(':');
				write(member.getValue(), out);
			}
			out.append('}');
		}
		else {
			throw new IllegalStateException("not a parsed JSON value: " + value.getClass().getName());
		}
	}

	private Object value(int depth) {
		if (this.pos >= this.text.length()) {
			throw error("unexpected end of input, expected a value");
		}
		char c = this.text.charAt(this.pos);
		return switch (c) {
			case '{' -> object(depth + 1);
			case '[' -> array(depth + 1);
			case '"' -> string();
			case 't' -> literal("true", Boolean.TRUE);
			case 'f' -> literal("false", Boolean.FALSE);
			case 'n' -> literal("null", null);
			default -> {
				if (c == '-' || isDigit(c)) {
					yield number();
				}
				throw error("unexpected " + describe(c) + ", expected a value");
			}
		};
	}

	private Map<String, Object> object(int depth) {
		requireDepth(depth);
		this.pos++;
		Map<String, Object> members = new TreeMap<>();
		skipWhitespace();
		if (next('}')) {
			return Collections.unmodifiableMap(members);
		}
		while (true) {
			skipWhitespace();
			if (!at('"')) {
				throw error("expected a member name in double quotes");
			}
			int keyOffset = this.pos;
			String key = string();
			if (members.containsKey(key)) {
				throw error("duplicate key " + quoted(key), keyOffset);
			}
			skipWhitespace();
			if (!next(':')) {
				throw error("expected ':'");
			}
			skipWhitespace();
			members.put(key, value(depth));
			skipWhitespace();
			if (next('}')) {
				return Collections.unmodifiableMap(members);
			}
			if (!next(',')) {
				throw error("expected ',' or '}'");
			}
		}
	}

	private List<Object> array(int depth) {
		requireDepth(depth);
		this.pos++;
		List<Object> elements = new ArrayList<>();
		skipWhitespace();
		if (next(']')) {
			return Collections.unmodifiableList(elements);
		}
		while (true) {
			skipWhitespace();
			elements.add(value(depth));
			skipWhitespace();
			if (next(']')) {
				return Collections.unmodifiableList(elements);
			}
			if (!next(',')) {
				throw error("expected ',' or ']'");
			}
		}
	}

	private void requireDepth(int depth) {
		if (depth > MAX_DEPTH) {
			throw error("nested deeper than " + MAX_DEPTH);
		}
	}

	private String string() {
		int start = this.pos;
		this.pos++;
		StringBuilder out = new StringBuilder();
		while (true) {
			if (this.pos >= this.text.length()) {
				throw error("unterminated string", start);
			}
			char c = this.text.charAt(this.pos);
			if (c == '"') {
				this.pos++;
				break;
			}
			if (c == '\\') {
				out.append(escape());
			}
			else if (c < 0x20) {
				throw error("unescaped control character " + describe(c) + " in a string");
			}
			else {
				out.append(c);
				this.pos++;
			}
		}
		requireWellFormed(out, start);
		return out.toString();
	}

	private char escape() {
		int start = this.pos;
		if (this.pos + 1 >= this.text.length()) {
			throw error("unterminated string");
		}
		char c = this.text.charAt(this.pos + 1);
		this.pos += 2;
		switch (c) {
			case '"':
				return '"';
			case '\\':
				return '\\';
			case '/':
				return '/';
			case 'b':
				return '\b';
			case 'f':
				return '\f';
			case 'n':
				return '\n';
			case 'r':
				return '\r';
			case 't':
				return '\t';
			case 'u':
				int code = 0;
				for (int i = 0; i < 4; i++) {
					int digit = (this.pos < this.text.length()) ? hexValue(this.text.charAt(this.pos)) : -1;
					if (digit < 0) {
						throw error("invalid \\u escape, expected four hex digits", start);
					}
					code = code * 16 + digit;
					this.pos++;
				}
				return (char) code;
			default:
				throw error("invalid escape \\" + printable(c), start);
		}
	}

	/**
	 * A lone surrogate has no UTF-8 encoding: hashed, it would become '?' and collide with a real '?'. Pairs are fine,
	 * escaped or not.
	 */
	private void requireWellFormed(CharSequence value, int start) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			boolean pair = i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
			if (Character.isHighSurrogate(c) && pair) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				throw error("unpaired surrogate " + describe(c) + " in the string", start);
			}
		}
	}

	private Object literal(String word, Object value) {
		if (!this.text.startsWith(word, this.pos)) {
			throw error("expected '" + word + "'");
		}
		this.pos += word.length();
		return value;
	}

	/**
	 * Reads the grammar's digits and works out the stripped value's precision and scale from them, without
	 * {@code new BigDecimal(String)}: a megabyte of digits or an exponent of a billion would cost seconds there before
	 * the range check could refuse it. The result is what {@code new BigDecimal(s).stripTrailingZeros()} gives.
	 */
	private BigDecimal number() {
		int start = this.pos;
		boolean negative = next('-');
		if (!isDigit(peek())) {
			throw error("expected a digit");
		}
		int integerStart = this.pos;
		if (next('0')) {
			if (isDigit(peek())) {
				throw error("leading zero in a number", start);
			}
		}
		else {
			skipDigits();
		}
		String digits = this.text.substring(integerStart, this.pos);
		int fractionDigits = 0;
		if (next('.')) {
			int fractionStart = this.pos;
			if (!isDigit(peek())) {
				throw error("expected a digit after the decimal point");
			}
			skipDigits();
			fractionDigits = this.pos - fractionStart;
			digits += this.text.substring(fractionStart, this.pos);
		}
		long exponent = 0;
		if (next('e') || next('E')) {
			boolean negativeExponent = next('-');
			if (!negativeExponent) {
				next('+');
			}
			int exponentStart = this.pos;
			if (!isDigit(peek())) {
				throw error("expected a digit in the exponent");
			}
			skipDigits();
			exponent = exponent(this.text.substring(exponentStart, this.pos), negativeExponent);
		}
		int first = 0;
		while (first < digits.length() && digits.charAt(first) == '0') {
			first++;
		}
		if (first == digits.length()) {
			return BigDecimal.ZERO;
		}
		int last = digits.length() - 1;
		while (digits.charAt(last) == '0') {
			last--;
		}
		int precision = last - first + 1;
		long scale = fractionDigits - exponent - (digits.length() - 1 - last);
		if (precision > MAX_NUMBER_DIGITS || scale > MAX_NUMBER_DIGITS || scale < -MAX_NUMBER_DIGITS) {
			throw error("number out of range", start);
		}
		BigInteger unscaled = new BigInteger(digits.substring(first, last + 1));
		return new BigDecimal(negative ? unscaled.negate() : unscaled, (int) scale);
	}

	private static long exponent(String digits, boolean negative) {
		String significant = digits.replaceFirst("^0+", "");
		// Far out of range either way; clamped so the scale arithmetic cannot overflow.
		long magnitude = (significant.length() > MAX_EXPONENT_DIGITS) ? 1_000_000_000_000_000_000L
				: (significant.isEmpty() ? 0 : Long.parseLong(significant));
		return negative ? -magnitude : magnitude;
	}

	private void skipDigits() {
		while (isDigit(peek())) {
			this.pos++;
		}
	}

	private void skipWhitespace() {
		while (this.pos < this.text.length()) {
			char c = this.text.charAt(this.pos);
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return;
			}
			this.pos++;
		}
	}

	/** The next character, or 0 at the end, which matches nothing the grammar wants. */
	private char peek() {
		return (this.pos < this.text.length()) ? this.text.charAt(this.pos) : 0;
	}

	private boolean at(char c) {
		return this.pos < this.text.length() && this.text.charAt(this.pos) == c;
	}

	private boolean next(char c) {
		if (at(c)) {
			this.pos++;
			return true;
		}
		return false;
	}

	/** ASCII only: {@link Character#isDigit} and {@link Character#digit} accept other scripts' digits too. */
	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static int hexValue(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		return -1;
	}

	private IllegalArgumentException error(String detail) {
		return error(detail, this.pos);
	}

	private IllegalArgumentException error(String detail, int offset) {
		return new IllegalArgumentException("not valid JSON: " + detail + " at offset " + offset);
	}

	private static String describe(char c) {
		return (c >= 0x20 && c < 0x7f) ? "'" + c + "'" : String.format("U+%04X", (int) c);
	}

	private static String printable(char c) {
		return (c >= 0x20 && c < 0x7f) ? String.valueOf(c) : String.format("U+%04X", (int) c);
	}

	/** Keys come from untrusted input and end up in logs: escaped, and cut short. */
	private static String quoted(String key) {
		StringBuilder out = new StringBuilder();
		writeString((key.length() > 64) ? key.substring(0, 64) + "…" : key, out);
		return out.toString();
	}

}
