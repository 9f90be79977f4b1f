package io.countersign.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.countersign.action.StagedAction;
import io.countersign.support.ProcessEngineTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

@ProcessEngineTest
class InventoryTest {

	@Autowired
	Inventory inventory;

	@Autowired
	InventoryJournal journal;

	private final String identity = "svc-" + UUID.randomUUID();

	private final String credential = "cred-" + UUID.randomUUID();

	private final String key = UUID.randomUUID() + ":apply";

	private Identity create() {
		return this.inventory.upsert(this.identity, request(StagedAction.sha256("v1")));
	}

	private IdentityUpsertRequest request(String fingerprint) {
		return new IdentityUpsertRequest("team-a", "test", Environment.STAGING, null, List.of("read", "read", "write"),
				List.of(new IdentityUpsertRequest.ConsumerRequest("api", true, null)),
				List.of(new IdentityUpsertRequest.CredentialRequest(this.credential, CredentialKind.API_KEY, null,
						fingerprint)));
	}

	@Test
	void shouldCreateIdentityWithFirstCredentialVersion() {
		Identity created = create();
		assertThat(created.status()).isEqualTo(IdentityStatus.ACTIVE);
		assertThat(created.privileges()).containsExactly("read", "write");
		assertThat(created.consumers()).extracting(Identity.Consumer::name).containsExactly("api");
		Identity.Credential credential = created.credential(this.credential);
		assertThat(credential.currentVersion()).isEqualTo(1);
		assertThat(credential.versions()).singleElement()
			.satisfies(v -> assertThat(v.fingerprint()).isEqualTo(StagedAction.sha256("v1")));
	}

	@Test
	void shouldRefuseAnUnapprovedRotationReportedByAnIntegrator() {
		create();
		assertThatThrownBy(() -> this.inventory.upsert(this.identity, request(StagedAction.sha256("v2")), "scanner"))
			.isInstanceOf(UpsertRefusedException.class)
			.hasMessageContaining("credentials[" + this.credential + "].fingerprint is gated");
		Identity.Credential credential = this.inventory.find(this.identity).orElseThrow().credential(this.credential);
		assertThat(credential.currentVersion()).isEqualTo(1);
		assertThat(credential.versions()).hasSize(1);
		Identity unchanged = this.inventory.upsert(this.identity, request(StagedAction.sha256("v1")), "scanner");
		assertThat(unchanged.credential(this.credential).versions()).hasSize(1);
	}

	@Test
	void shouldRotateOnlyOnceForOneChangeKeyAndKeepOnlyTheFingerprint() {
		create();
		InventoryChange change = change("credential.rotate");
		String fingerprint = StagedAction.sha256("v2");

		this.journal.rotateCredential(change, this.identity, this.credential, 1, 2, fingerprint);
		this.journal.rotateCredential(change, this.identity, this.credential, 1, 2, StagedAction.sha256("v2 again"));

		Identity.Credential credential = this.inventory.find(this.identity).orElseThrow().credential(this.credential);
		assertThat(credential.versions()).hasSize(2);
		assertThat(credential.currentVersion()).isEqualTo(2);
		assertThat(credential.version(1).status()).isEqualTo("RETIRED");
		assertThat(credential.version(1).retiredAt()).isNotNull();
		assertThat(credential.version(2).status()).isEqualTo("ACTIVE");
		assertThat(this.inventory.versionCreatedBy(this.credential, this.key))
			.hasValueSatisfying(version -> assertThat(version.fingerprint()).isEqualTo(fingerprint));
		assertThat(this.inventory.versionCreatedBy(this.credential, "someone-else")).isEmpty();
	}

	@Test
	void shouldRefuseARotationFromAVersionThatIsNoLongerCurrent() {
		create();
		this.journal.rotateCredential(change("credential.rotate"), this.identity, this.credential, 1, 2,
				StagedAction.sha256("v2"));
		InventoryChange other = new InventoryChange("other-" + this.key, "credential.rotate", this.credential, "r-2",
				StagedAction.sha256("other"));

		assertThatThrownBy(() -> this.journal.rotateCredential(other, this.identity, this.credential, 1, 2,
				StagedAction.sha256("v2'")))
			.isInstanceOf(InventoryConflictException.class)
			.hasMessageContaining("version 2");
		assertThat(this.journal.change(other.idempotencyKey())).isEmpty();
	}

	@Test
	void shouldUndoARotationOnceAndRefuseWhenTheCredentialMovedOnSince() {
		create();
		this.journal.rotateCredential(change("credential.rotate"), this.identity, this.credential, 1, 2,
				StagedAction.sha256("v2"));

		assertThat(this.journal.undo(this.key)).isTrue();
		assertThat(this.journal.undo(this.key)).isFalse();

		Identity.Credential credential = this.inventory.find(this.identity).orElseThrow().credential(this.credential);
		assertThat(credential.currentVersion()).isEqualTo(1);
		assertThat(credential.version(1).status()).isEqualTo("ACTIVE");
		assertThat(credential.version(1).retiredAt()).isNull();
		assertThat(credential.version(2).status()).isEqualTo("ROLLED_BACK");

		// A later rotation from version 1 to 3 stands; undoing the first one again must not touch it.
		InventoryChange later = new InventoryChange("later-" + this.key, "credential.rotate", this.credential, "r-3",
				StagedAction.sha256("later"));
		this.journal.rotateCredential(later, this.identity, this.credential, 1, 3, StagedAction.sha256("v3"));
		InventoryChange laterStill = new InventoryChange("latest-" + this.key, "credential.rotate", this.credential,
				"r-4", StagedAction.sha256("latest"));
		this.journal.rotateCredential(laterStill, this.identity, this.credential, 3, 4, StagedAction.sha256("v4"));
		assertThatThrownBy(() -> this.journal.undo(later.idempotencyKey()))
			.isInstanceOf(InventoryConflictException.class)
			.hasMessageContaining("version 4");
		assertThat(this.inventory.currentVersion(this.credential)).contains(4);
	}

	@Test
	void shouldKeepAnIsolatedConsumerIsolatedAcrossAnUpsert() {
		create();
		this.journal.isolateConsumer(change("workload.isolate"), this.identity, "api");

		Identity reported = this.inventory.upsert(this.identity, request(StagedAction.sha256("v1")));

		assertThat(reported.consumers()).singleElement().satisfies(consumer -> {
			assertThat(consumer.name()).isEqualTo("api");
			assertThat(consumer.isolated()).isTrue();
		});
		assertThat(this.inventory.consumerIsolated(this.identity, "api")).contains(true);
	}

	@Test
	void shouldRecordAChangeOnceAndUndoItOnce() {
		create();
		InventoryChange change = change("credential.disable");
		Set<CredentialStatus> from = Set.of(CredentialStatus.ACTIVE);

		this.journal.changeCredentialStatus(change, this.identity, this.credential, from, CredentialStatus.DISABLED);
		this.journal.changeCredentialStatus(change, this.identity, this.credential, from, CredentialStatus.DISABLED);

		assertThat(this.inventory.credentialStatus(this.credential)).contains(CredentialStatus.DISABLED);
		assertThat(this.journal.change(this.key)).contains(change);
		assertThatThrownBy(() -> this.journal.changeIdentityStatus(
				new InventoryChange(this.key, "identity.suspend", this.identity, "r-1", StagedAction.sha256("other")),
				this.identity, Set.of(IdentityStatus.ACTIVE), IdentityStatus.SUSPENDED))
			.as("one key, another action")
			.isInstanceOf(InventoryConflictException.class);
		assertThat(this.journal.undo(this.key)).isTrue();
		assertThat(this.journal.undo(this.key)).isFalse();
		assertThat(this.inventory.credentialStatus(this.credential)).contains(CredentialStatus.ACTIVE);
	}

	private InventoryChange change(String actionType) {
		return new InventoryChange(this.key, actionType, this.identity, "r-1", StagedAction.sha256(actionType));
	}

	@Test
	void shouldRefuseACredentialThatBelongsToAnotherIdentity() {
		create();
		String other = "svc-other-" + UUID.randomUUID();
		assertThatThrownBy(() -> this.inventory.upsert(other, request(null)))
			.isInstanceOf(UpsertRefusedException.class)
			.hasMessageContaining("belongs to identity");
		assertThat(this.inventory.find(other)).isEmpty();
	}

}
