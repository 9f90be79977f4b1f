package io.countersign.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class AdditionalEvidenceTest {

	private static final String SELF = "/api/v1/responses/r-1";

	private final ObjectMapper mapper = new ObjectMapper();

	@Test
	void shouldShowEveryJoinedDetectionWhenTheyFit() throws Exception {
		JsonNode shown = this.mapper.readTree(AdditionalEvidence.render(this.mapper,
				List.of(detection(2, "{\"gist\":\"acme/0b1c\"}"), detection(3, "{\"line\":3}")), SELF));

		assertThat(shown).hasSize(2);
		assertThat(shown.get(0).path("summary").asText()).isEqualTo("Finding 2");
		assertThat(shown.get(0).path("evidence").path("gist").asText()).isEqualTo("acme/0b1c");
		assertThat(shown.get(1).path("receivedAt").asText()).isEqualTo("2026-11-20T10:00:03Z");
	}

	@Test
	void shouldKeepTheNewestAndNameHowManyWereLeftOutWhenTheyDoNotFit() throws Exception {
		List<ResponseRepository.Detection> joined = IntStream.rangeClosed(2, 101)
			.mapToObj(seq -> detection(seq, "{\"path\":\"deploy-" + seq + ".sh\"}"))
			.toList();

		String text = AdditionalEvidence.render(this.mapper, joined, SELF);

		assertThat(text).hasSizeLessThanOrEqualTo(AdditionalEvidence.MAX_CHARS);
		JsonNode shown = this.mapper.readTree(text);
		int omitted = shown.get(0).path("omitted").asInt();
		assertThat(omitted).isPositive();
		assertThat(shown.get(0).path("note").asText()).contains(SELF);
		assertThat(shown).hasSize(100 - omitted + 1);
		assertThat(shown.get(1).path("summary").asText()).isEqualTo("Finding " + (omitted + 2));
		assertThat(shown.get(shown.size() - 1).path("summary").asText()).isEqualTo("Finding 101");
	}

	@Test
	void shouldPointToTheApiForEvidenceTooLargeToShow() throws Exception {
		String large = "{\"blob\":\"" + "x".repeat(10_000) + "\"}";

		String text = AdditionalEvidence.render(this.mapper, List.of(detection(2, large)), SELF);

		assertThat(text).hasSizeLessThanOrEqualTo(AdditionalEvidence.MAX_CHARS);
		JsonNode shown = this.mapper.readTree(text);
		assertThat(shown).hasSize(1);
		assertThat(shown.get(0).path("summary").asText()).isEqualTo("Finding 2");
		assertThat(shown.get(0).path("evidence").asText()).contains("Too large to show here", SELF);
	}

	private static ResponseRepository.Detection detection(int seq, String evidence) {
		return new ResponseRepository.Detection("r-1", seq, "gist-scanner", "Finding " + seq, "high", evidence,
				"scanner", Instant.parse("2026-11-20T10:00:00Z").plusSeconds(seq), null, null);
	}

}
