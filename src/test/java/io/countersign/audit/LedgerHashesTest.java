package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import org.junit.jupiter.api.Test;

/** Pins the hash input, so a change that would orphan every existing chain fails here first. */
class LedgerHashesTest {

	private static final Instant AT = Instant.parse("2026-11-21T10:15:30Z");

	@Test
	void shouldHashTheCanonicalJsonWithExplicitNulls() {
		String expected = StagedAction.sha256("{\"actor\":null,\"at\":\"2026-11-21T10:15:30.000Z\",\"data\":null,"
				+ "\"detail\":null,\"prevHash\":\"" + LedgerHashes.GENESIS
				+ "\",\"responseId\":null,\"seq\":1,\"type\":\"REQUESTED\"}");

		assertThat(LedgerHashes.hash(1, AT, null, "REQUESTED", null, null, null, LedgerHashes.GENESIS))
			.isEqualTo(expected)
			.matches("sha256:[0-9a-f]{64}");
	}

	@Test
	void shouldHashDataAsCanonicalJson() {
		JsonNode data = LedgerHashes.parseData("{\"b\": [1, 2.50], \"a\": \"ä\"}");
		String expected = StagedAction.sha256("{\"actor\":\"bob\",\"at\":\"2026-11-21T10:15:30.120Z\","
				+ "\"data\":{\"a\":\"ä\",\"b\":[1,2.5]},\"detail\":\"ok\",\"prevHash\":\"sha256:x\","
				+ "\"responseId\":\"r-1\",\"seq\":7,\"type\":\"DECIDED\"}");

		assertThat(LedgerHashes.hash(7, AT.plusMillis(120), "r-1", "DECIDED", "bob", "ok", data, "sha256:x"))
			.isEqualTo(expected);
	}

	@Test
	void shouldKeepLongDecimalsExactSoTheyStillMatchTheirHash() {
		JsonNode data = LedgerHashes.parseData("{\"ratio\":0.12345678901234567890123}");

		assertThat(data.get("ratio").decimalValue().toPlainString()).isEqualTo("0.12345678901234567890123");
	}

	@Test
	void shouldTruncateToMillisecondsAndAlwaysWriteThreeFractionDigits() {
		Instant precise = Instant.parse("2026-11-21T10:15:30.123456789Z");

		assertThat(LedgerHashes.truncate(precise)).isEqualTo(Instant.parse("2026-11-21T10:15:30.123Z"));
		assertThat(LedgerHashes.format(AT)).isEqualTo("2026-11-21T10:15:30.000Z");
	}

}
