package io.countersign.toolserver;

import static io.countersign.toolserver.ToolCallVerifier.argumentsHash;
import static io.countersign.toolserver.ToolCallVerifier.canonicalJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The canonical form the server hashes approved arguments in, and the tool server hashes received ones in. */
class CanonicalJsonTest {

	@Test
	void shouldSortMembersByUtf16CodeUnits() {
		// U+1F600 is stored as D83D DE00, so it sorts before U+FF21 here, though after it by code point.
		String json = "{\"b\":1,\"a\":2,\"\uFF21\":3,\"\uD83D\uDE00\":4,\"é\":5,\"Z\":6,\"aa\":7,\"\":8}";

		assertThat(canonicalJson(json)).isEqualTo("{\"\":8,\"Z\":6,\"a\":2,\"aa\":7,\"b\":1,\"é\":5,\"\uD83D\uDE00\":4,\"\uFF21\":3}");
	}

	@Test
	void shouldSortNestedMembersAndKeepArrayOrder() {
		assertThat(canonicalJson("[3,1,{\"b\":{\"d\":1,\"c\":2},\"a\":[2,1]}]"))
			.isEqualTo("[3,1,{\"a\":[2,1],\"b\":{\"c\":2,\"d\":1}}]");
	}

	@Test
	void shouldDropInsignificantWhitespace() {
		assertThat(canonicalJson(" \n\t{ \"a\" : [ 1 , true , false , null ] , \"b\" : { } , \"c\" : [ ] }\r\n"))
			.isEqualTo("{\"a\":[1,true,false,null],\"b\":{},\"c\":[]}");
	}

	@Test
	void shouldEscapeOnlyWhatJsonRequires() {
		String json = "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0000\\u001F\\u000b \\u007f \\u2028 \\u00E9 é / \u2029\"";

		assertThat(canonicalJson(json))
			.isEqualTo("\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0000\\u001f\\u000b \u007f \u2028 é é / \u2029\"");
	}

	@Test
	void shouldKeepSurrogatePairsEscapedOrNot() {
		assertThat(canonicalJson("\"\\ud83d\\ude00\"")).isEqualTo("\"\uD83D\uDE00\"");
		assertThat(canonicalJson("\"\\uD83D\\uDE00\"")).isEqualTo("\"\uD83D\uDE00\"");
		assertThat(canonicalJson("\"\uD83D\uDE00\"")).isEqualTo("\"\uD83D\uDE00\"");
		assertThat(canonicalJson("\"\\ud83d\uDE00\"")).isEqualTo("\"\uD83D\uDE00\"");
	}

	@ParameterizedTest
	@ValueSource(strings = { "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d x\"", "\"\\ude00\\ud83d\"", "\"\uD83D\"",
			"{\"\\udfff\":1}" })
	void shouldRejectUnpairedSurrogates(String json) {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson(json)).withMessageContaining("unpaired surrogate");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "1.0|1", "1e2|100", "1E+2|100", "100|100", "-0|0", "-0.0e-5|0", "0e999999999999999999999|0",
			"1.50|1.5", "1E-3|0.001", "-1.5e-2|-0.015", "0.10|0.1", "10|10", "12345678901234567890|12345678901234567890",
			"-12.500e1|-125", "0.1e1|1", "123.456e-1|12.3456" })
	void shouldWriteEachNumberInOneSpelling(String number, String canonical) {
		assertThat(canonicalJson(number)).isEqualTo(canonical);
		assertThat(canonicalJson("[" + number + "]")).isEqualTo("[" + canonical + "]");
	}

	@Test
	void shouldAgreeWithBigDecimalOnNumbersInRange() {
		Random random = new Random(20260302);
		for (int i = 0; i < 20_000; i++) {
			StringBuilder number = new StringBuilder(random.nextBoolean() ? "-" : "");
			number.append(random.nextInt(4) == 0 ? "0" : String.valueOf(1 + random.nextInt(999_999)));
			if (random.nextBoolean()) {
				number.append('.').append(String.format("%0" + (1 + random.nextInt(6)) + "d", random.nextInt(1000)));
			}
			if (random.nextBoolean()) {
				number.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "")
					.append(random.nextInt(40));
			}
			BigDecimal stripped = new BigDecimal(number.toString()).stripTrailingZeros();
			String expected = (stripped.scale() <= 0) ? stripped.toBigIntegerExact().toString() : stripped.toPlainString();

			assertThat(canonicalJson(number.toString())).as(number.toString()).isEqualTo(expected);
		}
	}

	@Test
	void shouldAcceptNumbersAtTheEdgesOfTheRange() {
		assertThat(canonicalJson("1e1000")).isEqualTo("1" + "0".repeat(1000));
		assertThat(canonicalJson("0.1e1001")).isEqualTo("1" + "0".repeat(1000));
		assertThat(canonicalJson("1e-1000")).isEqualTo("0." + "0".repeat(999) + "1");
		assertThat(canonicalJson("9".repeat(1000))).isEqualTo("9".repeat(1000));
		assertThat(canonicalJson("1" + "0".repeat(1000))).isEqualTo("1" + "0".repeat(1000));
		assertThat(canonicalJson("1." + "0".repeat(5000))).isEqualTo("1");
	}

	@ParameterizedTest
	@ValueSource(strings = { "1e1001", "10e1000", "1e-1001", "0.01e-999", "-1e1001", "1e1000000000", "-1E-1000000000",
			"1e99999999999999999999999999" })
	void shouldRejectNumbersOutOfRange(String number) {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("{\"n\":" + number + "}"))
			.withMessage("not valid JSON: number out of range at offset 5");
	}

	@Test
	void shouldRejectNumbersWithTooManyDigits() {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("1" + "2".repeat(1000)))
			.withMessageContaining("number out of range");
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("1" + "0".repeat(1001)))
			.withMessageContaining("number out of range");
	}

	@Test
	void shouldRejectHugeNumbersQuickly() {
		String megabyteOfDigits = "1" + "3".repeat(1_048_000);
		assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
			for (int i = 0; i < 100; i++) {
				assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("[1e1000000000]"));
				assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash("t", "{\"n\":1e1000000000}"));
			}
			assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson(megabyteOfDigits));
		});
	}

	@Test
	void shouldRejectDuplicateKeys() {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("{\"x\":1,\"y\":{\"x\":2},\"x\":3}"))
			.withMessage("not valid JSON: duplicate key \"x\" at offset 19");
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash("t", "{\"x\":1,\"y\":{\"x\":2},\"x\":3}"))
			.withMessage("arguments are not valid JSON: duplicate key \"x\" at offset 19");
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("{\"a\":1,\"\\u0061\":1}"))
			.withMessageContaining("duplicate key \"a\"");
	}

	@Test
	void shouldAcceptSameKeyInDifferentObjects() {
		assertThat(canonicalJson("[{\"a\":1},{\"a\":2,\"b\":{\"a\":3}}]")).isEqualTo("[{\"a\":1},{\"a\":2,\"b\":{\"a\":3}}]");
	}

	@Test
	void shouldRejectNestingDeeperThan64() {
		assertThat(canonicalJson("[".repeat(64) + "]".repeat(64))).isEqualTo("[".repeat(64) + "]".repeat(64));
		assertThat(canonicalJson("{\"a\":".repeat(64) + "1" + "}".repeat(64))).startsWith("{\"a\":{");

		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("[".repeat(65) + "]".repeat(65)))
			.withMessage("not valid JSON: nested deeper than 64 at offset 64");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> canonicalJson("{\"a\":".repeat(32) + "[".repeat(33) + "]".repeat(33) + "}".repeat(32)))
			.withMessageContaining("nested deeper than 64");
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson("[".repeat(100_000)))
			.withMessageContaining("nested deeper than 64");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{} x", "{}{}", "1 2", "\"a\" \"b\"", "nullx", "{}\u0000", "[1]]", "{}," })
	void shouldRejectTrailingGarbage(String json) {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson(json)).withMessageContaining("after the value");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"a\":1,}", "[1,]", "[,1]", "// c\n{}", "/* c */{}", "{} // c", "{\"a\":NaN}",
			"{\"a\":Infinity}", "-Infinity", "01", "-01", "00", "+1", "1.", ".5", "1e", "1e+", "-", "1.e3", "0x10", "1_000",
			"\u0661", "'a'", "{'a':1}", "{a:1}", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\u\uFF11\uFF12\uFF13\uFF14\"",
			"\"a\tb\"", "\"\n\"", "\"\u001f\"", "", "   ", "tru", "True", "nul", "[1 2]", "{\"a\" 1}",
			"{\"a\":1 \"b\":2}", "\"unterminated", "\"ends in escape\\", "\uFEFF{}", "{\"a\"}", "[", "{", "\u00a0{}" })
	void shouldRejectWhatStrictJsonDoesNotAllow(String json) {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson(json))
			.withMessageStartingWith("not valid JSON: ")
			.withMessageContaining(" at offset ");
	}

	@Test
	void shouldRejectInputLongerThanOneMebibyte() {
		String longest = "\"" + "a".repeat(1_048_574) + "\"";
		assertThat(canonicalJson(longest)).isEqualTo(longest);

		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson(longest + " "))
			.withMessage("not valid JSON: longer than 1048576 characters");
	}

	@Test
	void shouldRejectNull() {
		assertThatIllegalArgumentException().isThrownBy(() -> canonicalJson(null));
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash("t", null));
	}

	@Test
	void shouldHashToolAndCanonicalArguments() throws Exception {
		String received = "{ \"tags\": [\"b\", \"a\"], \"note\": \"caf\\u00e9 \\u2028\", \"currency\": \"EUR\", \"amount\": 1.25e1 }";
		String canonical = "{\"amount\":12.5,\"currency\":\"EUR\",\"note\":\"café \u2028\",\"tags\":[\"b\",\"a\"]}";
		byte[] digest = MessageDigest.getInstance("SHA-256")
			.digest(("payments.refund" + canonical).getBytes(StandardCharsets.UTF_8));

		assertThat(argumentsHash("payments.refund", received)).isEqualTo("sha256:" + HexFormat.of().formatHex(digest))
			// Pinned, for anyone implementing the same hash elsewhere.
			.isEqualTo("sha256:efaac3d5f5464d1699aaa85f5d98329e21f41a1c1c6481aa7a340186ab9f97a9");
	}

	@Test
	void shouldHashDifferentToolsDifferently() {
		assertThat(argumentsHash("a", "{}")).isNotEqualTo(argumentsHash("b", "{}"));
		assertThat(argumentsHash("a", "{\"x\":1}")).isNotEqualTo(argumentsHash("a", "{\"x\":\"1\"}"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "[]", "[{}]", "1", "\"x\"", "null", "true" })
	void shouldRejectArgumentsThatAreNotAnObject(String arguments) {
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash("payments.refund", arguments))
			.withMessage("arguments must be a JSON object");
	}

	@Test
	void shouldRejectInvalidArgumentsWithTheirOffset() {
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash("payments.refund", "{\"a\":01}"))
			.withMessage("arguments are not valid JSON: leading zero in a number at offset 5");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "-refund", ".refund", "pay{ments}", "pay ments", "paymënts", "payments+refund",
			"payments\n" })
	void shouldRejectInvalidToolNames(String tool) {
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash(tool, "{}"));
	}

	@Test
	void shouldNormalizeToolNamesToOneSpellingBeforeHashing() {
		assertThat(ToolCallVerifier.normalizeToolName("Shell.exec")).isEqualTo("shell.exec");
		assertThat(ToolCallVerifier.normalizeToolName("SHELL.EXEC")).isEqualTo("shell.exec");
		assertThat(argumentsHash("Payments.Refund", "{}")).isEqualTo(argumentsHash("payments.refund", "{}"));
		// Non-ASCII letters are refused, never folded: a Cyrillic "е", a Turkish dotted capital I, a Kelvin sign.
		for (String lookalike : new String[] { "sh\u0435ll.exec", "\u0130nfo.read", "\u212aube.apply" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> ToolCallVerifier.normalizeToolName(lookalike));
		}
	}

	@Test
	void shouldAcceptToolNamesUpTo128Characters() {
		assertThat(argumentsHash("ns:payments/refund_v1.2-beta", "{}")).startsWith("sha256:");
		assertThat(argumentsHash("a".repeat(128), "{}")).matches("sha256:[0-9a-f]{64}");
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash("a".repeat(129), "{}"));
		assertThatIllegalArgumentException().isThrownBy(() -> argumentsHash(null, "{}"));
	}

}
