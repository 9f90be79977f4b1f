package io.countersign.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.countersign.action.StagedAction;
import io.countersign.inventory.IdentityUpsertRequest.ConsumerRequest;
import io.countersign.inventory.IdentityUpsertRequest.CredentialRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpsertReviewTest {

	private static final String FINGERPRINT = StagedAction.sha256("v1");

	private static Identity stored(boolean isolated) {
		return new Identity("svc-a", "team-a", "d", Environment.STAGING, IdentityStatus.ACTIVE, List.of("repo:read"),
				List.of(new Identity.Consumer("runner", false, null, isolated),
						new Identity.Consumer("old-job", false, null, false)),
				List.of(new Identity.Credential("key-a", CredentialKind.API_KEY, CredentialStatus.ACTIVE, 1,
						List.of(new Identity.CredentialVersion(1, "ACTIVE", FINGERPRINT, Instant.EPOCH, null)), null)),
				Instant.EPOCH, Instant.EPOCH, PrivilegeLevel.READ);
	}

	private static IdentityUpsertRequest report(List<String> privileges, List<ConsumerRequest> consumers,
			List<CredentialRequest> credentials) {
		return new IdentityUpsertRequest("team-a", "d", Environment.STAGING, null, privileges, consumers, credentials);
	}

	@Test
	void shouldKeepWhatAReportLeavesOut() {
		UpsertReview.Result result = UpsertReview.review(stored(false), report(null, null, null), Map.of(), "svc-a");

		assertThat(result.refused()).isFalse();
		assertThat(result.changes()).isEmpty();
	}

	@Test
	void shouldRefuseRemovingAnIsolatedWorkloadButAcceptDroppingAPlainOne() {
		List<ConsumerRequest> onlyRunner = List.of(new ConsumerRequest("runner", false, null));
		List<ConsumerRequest> onlyOldJob = List.of(new ConsumerRequest("old-job", false, null));

		assertThat(UpsertReview.review(stored(true), report(null, onlyOldJob, null), Map.of(), "svc-a").violations())
			.singleElement()
			.satisfies(v -> {
				assertThat(v.field()).isEqualTo("consumers[runner]");
				assertThat(v.rule()).isEqualTo(UpsertReview.GATED);
			});
		UpsertReview.Result dropped = UpsertReview.review(stored(true), report(null, onlyRunner, null), Map.of(),
				"svc-a");
		assertThat(dropped.refused()).isFalse();
		assertThat(dropped.changes()).extracting(UpsertReview.Change::field).containsExactly("consumers[old-job]");
	}

	@Test
	void shouldFillInAMissingCreatorButNeverReplaceOne() {
		List<CredentialRequest> withCreator = List.of(
				new CredentialRequest("key-a", CredentialKind.API_KEY, CredentialStatus.ACTIVE, FINGERPRINT, "bob"));

		UpsertReview.Result result = UpsertReview.review(stored(false), report(null, null, withCreator), Map.of(),
				"svc-a");

		assertThat(result.refused()).isFalse();
		assertThat(result.changes()).singleElement()
			.satisfies(change -> assertThat(change.field()).isEqualTo("credentials[key-a].createdBy"));
	}

	@Test
	void shouldRefuseACredentialOfAnotherIdentityEvenForANewIdentity() {
		List<CredentialRequest> foreign = List.of(new CredentialRequest("key-b", CredentialKind.API_KEY, null, null));

		UpsertReview.Result result = UpsertReview.review(null, report(List.of("iam:admin"), null, foreign),
				Map.of("key-b", "svc-b"), "svc-new");

		assertThat(result.violations()).singleElement()
			.satisfies(v -> assertThat(v.rule()).isEqualTo(UpsertReview.OWNED_ELSEWHERE));
	}

	@Test
	void shouldAcceptANewIdentityWithPrivilegesAndAnyStatus() {
		IdentityUpsertRequest report = new IdentityUpsertRequest("team-a", null, Environment.DEVELOPMENT,
				IdentityStatus.QUARANTINED, List.of("iam:admin"), null, null);

		UpsertReview.Result result = UpsertReview.review(null, report, Map.of(), "svc-new");

		assertThat(result.created()).isTrue();
		assertThat(result.refused()).isFalse();
	}

	@Test
	void shouldRefuseChangingTheKindOfACredential() {
		List<CredentialRequest> asTrust = List.of(
				new CredentialRequest("key-a", CredentialKind.FEDERATED_TRUST, null, null));

		assertThat(UpsertReview.review(stored(false), report(null, null, asTrust), Map.of(), "svc-a").violations())
			.extracting(UpsertReview.Violation::field)
			.containsExactly("credentials[key-a].kind");
	}

}
