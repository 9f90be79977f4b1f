package io.countersign.response;

import io.countersign.response.ActionEffects.Effect;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An end event's outcome against what the tables say was applied and decided. */
class ResponseOutcomesTest {

	@Test
	void shouldRefuseFailedOrRejectedWhileTheActionStands() {
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.FAILED, ResponseStatus.APPLIED, Effect.IN_EFFECT,
				"APPROVED")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.REJECTED, ResponseStatus.APPLIED, Effect.IN_EFFECT,
				"REJECTED")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.CANCELLED, ResponseStatus.APPLYING, Effect.UNVERIFIED,
				"APPROVED")).isPresent();
	}

	@Test
	void shouldRefuseCompletedUnlessTheActionStands() {
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.COMPLETED, ResponseStatus.APPLYING, Effect.UNDONE,
				"APPROVED")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.COMPLETED, ResponseStatus.AWAITING_APPROVAL,
				Effect.NOTHING, "OPEN")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.COMPLETED, ResponseStatus.APPLIED, Effect.IN_EFFECT,
				"APPROVED")).isEmpty();
	}

	@Test
	void shouldRefuseRolledBackWhileTheActionStands() {
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.ROLLED_BACK, ResponseStatus.APPLIED, Effect.IN_EFFECT,
				"APPROVED")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.ROLLED_BACK, ResponseStatus.AWAITING_APPROVAL,
				Effect.NOTHING, "OPEN")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.ROLLED_BACK, ResponseStatus.APPLYING, Effect.NOTHING,
				"APPROVED")).isEmpty();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.ROLLED_BACK, ResponseStatus.APPLYING, Effect.UNDONE,
				"APPROVED")).isEmpty();
	}

	@Test
	void shouldRequireTheRequestToSayRejectedExpiredOrDenied() {
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.REJECTED, ResponseStatus.AWAITING_APPROVAL,
				Effect.NOTHING, "OPEN")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.EXPIRED, ResponseStatus.AWAITING_APPROVAL,
				Effect.NOTHING, "REJECTED")).isPresent();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.DENIED, ResponseStatus.AWAITING_APPROVAL,
				Effect.NOTHING, "DENIED")).isEmpty();
		assertThat(ResponseOutcomes.disagreement(ResponseStatus.EXPIRED, ResponseStatus.AWAITING_APPROVAL,
				Effect.NOTHING, "EXPIRED")).isEmpty();
	}

}
