package io.countersign.connector.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.IdentityUpsertRequest;
import io.countersign.inventory.IdentityUpsertRequest.ConsumerRequest;
import io.countersign.inventory.IdentityUpsertRequest.CredentialRequest;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.InventoryJournal;
import io.countersign.receipt.IssuedReceipt;
import io.countersign.receipt.ReceiptRejectedException;
import io.countersign.receipt.ReceiptRequest;
import io.countersign.receipt.Receipts;
import io.countersign.support.ProcessEngineTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Every action type against the real inventory, with real receipts, through the application's transactions. */
@ProcessEngineTest
class InventoryConnectorTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Autowired
	InventoryConnector connector;

	@Autowired
	Inventory inventory;

	@Autowired
	InventoryJournal journal;

	@Autowired
	Receipts receipts;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Value("${countersign.secrets.file.directory}")
	Path secrets;

	private final String suffix = UUID.randomUUID().toString();

	private final String identity = "svc-" + this.suffix;

	private final String apiKey = "key-" + this.suffix;

	private final String trust = "trust-" + this.suffix;

	private final String activePartner = "partner-active-" + this.suffix;

	private final String suspendedPartner = "partner-suspended-" + this.suffix;

	private final String disabledPartner = "partner-disabled-" + this.suffix;

	private final String responseId = UUID.randomUUID().toString();

	@BeforeEach
	void createIdentity() {
		upsert(this.identity, IdentityStatus.ACTIVE,
				List.of(credential(this.apiKey, CredentialKind.API_KEY, CredentialStatus.ACTIVE),
						credential(this.trust, CredentialKind.FEDERATED_TRUST, CredentialStatus.ACTIVE),
						credential(this.activePartner, CredentialKind.CLIENT_SECRET, CredentialStatus.ACTIVE),
						credential(this.suspendedPartner, CredentialKind.ACCESS_TOKEN, CredentialStatus.SUSPENDED),
						credential(this.disabledPartner, CredentialKind.API_KEY, CredentialStatus.DISABLED)));
	}

	@Test
	void shouldSuspendCredentialAndRestoreItOnRollback() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.apiKey);

		Snapshot before = applyVerifyAndRollBack(action,
				after -> assertThat(after.credentials()).containsEntry(this.apiKey, CredentialStatus.SUSPENDED));

		assertThat(before.credentials()).containsEntry(this.apiKey, CredentialStatus.ACTIVE);
	}

	@Test
	void shouldDisableCredentialAndRestoreItOnRollback() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.suspendedPartner);

		Snapshot before = applyVerifyAndRollBack(action, after -> assertThat(after.credentials())
			.containsEntry(this.suspendedPartner, CredentialStatus.DISABLED));

		assertThat(before.credentials()).as("back to SUSPENDED, not to ACTIVE")
			.containsEntry(this.suspendedPartner, CredentialStatus.SUSPENDED);
	}

	@Test
	void shouldEnableCredentialAndRestoreItOnRollback() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_ENABLE, this.disabledPartner);

		applyVerifyAndRollBack(action,
				after -> assertThat(after.credentials()).containsEntry(this.disabledPartner, CredentialStatus.ACTIVE));
	}

	@Test
	void shouldReducePrivilegesAndRestoreExactlyTheRemovedOnesOnRollback() {
		StagedAction action = reduce(List.of("iam:admin", "payments:refund"), List.of("payments:read"));

		applyVerifyAndRollBack(action,
				after -> assertThat(after.privileges()).containsExactly("ledger:write", "payments:read"));

		assertThat(this.inventory.privileges(this.identity)).containsExactly("iam:admin", "ledger:write",
				"payments:read", "payments:refund");
	}

	@Test
	void shouldSuspendIdentityAndRestoreItOnRollback() {
		applyVerifyAndRollBack(identityAction(ActionTypes.IDENTITY_SUSPEND),
				after -> assertThat(after.status()).isEqualTo(IdentityStatus.SUSPENDED));
	}

	@Test
	void shouldQuarantineIdentityAndRestoreItOnRollback() {
		applyVerifyAndRollBack(identityAction(ActionTypes.IDENTITY_QUARANTINE),
				after -> assertThat(after.status()).isEqualTo(IdentityStatus.QUARANTINED));
	}

	@Test
	void shouldQuarantineSuspendedIdentityAndRestoreSuspensionOnRollback() {
		this.connector.apply(call(identityAction(ActionTypes.IDENTITY_SUSPEND), key()));

		Snapshot before = applyVerifyAndRollBack(identityAction(ActionTypes.IDENTITY_QUARANTINE),
				after -> assertThat(after.status()).isEqualTo(IdentityStatus.QUARANTINED));

		assertThat(before.status()).isEqualTo(IdentityStatus.SUSPENDED);
	}

	@Test
	void shouldReleaseIdentityAndRestoreQuarantineOnRollback() {
		// A report can no longer quarantine an existing identity: an approved quarantine does.
		this.connector.apply(call(identityAction(ActionTypes.IDENTITY_QUARANTINE), key()));

		applyVerifyAndRollBack(identityAction(ActionTypes.IDENTITY_RELEASE),
				after -> assertThat(after.status()).isEqualTo(IdentityStatus.ACTIVE));

		assertThat(this.inventory.identityStatus(this.identity)).contains(IdentityStatus.QUARANTINED);
	}

	@Test
	void shouldIsolateWorkloadAndRestoreItOnRollback() {
		applyVerifyAndRollBack(isolate("checkout-web"), after -> assertThat(after.isolated())
			.containsEntry("checkout-web", true)
			.containsEntry("payments-batch", false));

		assertThat(this.inventory.consumerIsolated(this.identity, "checkout-web")).contains(false);
	}

	@Test
	void shouldDisableFederationAndReEnableOnlyWhatWasActiveOnRollback() {
		StagedAction action = federation(List.of(this.activePartner, this.suspendedPartner, this.disabledPartner));

		Snapshot before = applyVerifyAndRollBack(action, after -> assertThat(after.credentials())
			.containsEntry(this.trust, CredentialStatus.DISABLED)
			.containsEntry(this.activePartner, CredentialStatus.DISABLED)
			.containsEntry(this.suspendedPartner, CredentialStatus.DISABLED)
			.containsEntry(this.disabledPartner, CredentialStatus.DISABLED)
			.as("not named in the action")
			.containsEntry(this.apiKey, CredentialStatus.ACTIVE));

		assertThat(before.credentials()).containsEntry(this.trust, CredentialStatus.ACTIVE)
			.containsEntry(this.activePartner, CredentialStatus.ACTIVE)
			.containsEntry(this.suspendedPartner, CredentialStatus.SUSPENDED)
			.containsEntry(this.disabledPartner, CredentialStatus.DISABLED);
	}

	@Test
	void shouldRotateDeliveringTheMaterialAndKeepingOnlyItsFingerprintAndRollBackToThePreviousVersion() {
		StagedAction action = rotate(this.apiKey, 1, 2);

		Snapshot before = applyVerifyAndRollBack(action, after -> {
			assertThat(after.versions()).containsEntry(this.apiKey, 2);
			String delivered = delivered(this.apiKey);
			Identity.CredentialVersion recorded = credentialOf(this.apiKey).version(2);
			assertThat(recorded.fingerprint()).isEqualTo(StagedAction.sha256(delivered))
				.doesNotContain(delivered);
			assertThat(recorded.status()).isEqualTo("ACTIVE");
		});

		assertThat(before.versions()).containsEntry(this.apiKey, 1);
		Identity.Credential rolledBack = credentialOf(this.apiKey);
		assertThat(rolledBack.version(1).status()).isEqualTo("ACTIVE");
		assertThat(rolledBack.version(2).status()).isEqualTo("ROLLED_BACK");
	}

	@Test
	void shouldRotateOnceAndDeliverOnceForOneKeyThoughTheApplyIsRepeated() {
		StagedAction action = rotate(this.apiKey, 1, 2);
		IssuedReceipt receipt = issue(action);
		ConnectorCall call = new ConnectorCall(this.responseId, action, key(), receipt.token());

		this.connector.apply(call);
		String first = delivered(this.apiKey);
		this.connector.apply(call);

		assertThat(delivered(this.apiKey)).as("no second material for a committed rotation").isEqualTo(first);
		assertThat(credentialOf(this.apiKey).versions()).hasSize(2);
		assertThat(uses(receipt)).isEqualTo(1);
		this.connector.verify(call);
	}

	@Test
	void shouldRecordNoVersionAndSpendNoReceiptWhenTheMaterialCannotBeDelivered() throws Exception {
		// The credential's file is a directory with something in it: the sink cannot replace it, even as root.
		Path blocked = this.secrets.resolve("inventory").resolve(this.activePartner);
		Files.createDirectories(blocked);
		Files.writeString(blocked.resolve("keep"), "not a secret");
		StagedAction action = rotate(this.activePartner, 1, 2);
		IssuedReceipt receipt = issue(action);
		ConnectorCall call = new ConnectorCall(this.responseId, action, key(), receipt.token());

		assertThatThrownBy(() -> this.connector.apply(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("could not be delivered")
			.hasMessageContaining(this.activePartner);

		assertThat(credentialOf(this.activePartner).currentVersion()).isEqualTo(1);
		assertThat(credentialOf(this.activePartner).versions()).hasSize(1);
		assertThat(this.journal.change(call.idempotencyKey())).isEmpty();
		assertThat(uses(receipt)).isZero();
		this.connector.rollback(call);
		assertThat(credentialOf(this.activePartner).currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldFailVerifyWhenTheSinkHoldsOtherMaterialOrNone() throws Exception {
		ConnectorCall call = call(rotate(this.apiKey, 1, 2), key());
		this.connector.apply(call);
		Path file = this.secrets.resolve("inventory").resolve(this.apiKey);

		Files.writeString(file, "someone-else-wrote-this");
		assertThatThrownBy(() -> this.connector.verify(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("holds other material");

		Files.delete(file);
		assertThatThrownBy(() -> this.connector.verify(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("does not hold version 2");
	}

	@Test
	void shouldRefuseToStageOrApplyARotationFromAVersionThatIsNotCurrent() {
		this.connector.apply(call(rotate(this.apiKey, 1, 2), key()));
		Snapshot before = snapshot();

		assertStageRefused(rotate(this.apiKey, 1, 3), "is at version 2, not 1");
		assertStageRefused(rotate(this.apiKey, 2, 2), "goes from a version to a later one");
		assertStageRefused(rotate(this.disabledPartner, 1, 2), "is DISABLED, not ACTIVE");
		assertStageRefused(action(ActionTypes.CREDENTIAL_ROTATE, this.apiKey, Map.of("identity", this.identity,
				"credential", this.apiKey, "fromVersion", "2", "toVersion", 3)), "whole-number parameter 'fromVersion'");
		assertThatThrownBy(() -> this.connector.apply(call(rotate(this.apiKey, 1, 3), key())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is at version 2");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseToRollBackARotationWhenTheCredentialWasRotatedAgainSince() {
		ConnectorCall first = call(rotate(this.apiKey, 1, 2), key());
		this.connector.apply(first);
		this.connector.apply(call(rotate(this.apiKey, 2, 3), key()));

		assertThatThrownBy(() -> this.connector.rollback(first)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is at version 3 now");

		assertThat(credentialOf(this.apiKey).currentVersion()).isEqualTo(3);
		assertThat(credentialOf(this.apiKey).version(2).status()).isEqualTo("RETIRED");
	}

	@Test
	void shouldApplyOnceForOneKeyThoughTheReceiptIsSpent() {
		StagedAction action = reduce(List.of("iam:admin"), List.of());
		IssuedReceipt receipt = issue(action);
		ConnectorCall call = new ConnectorCall(this.responseId, action, key(), receipt.token());

		this.connector.apply(call);
		// Someone grants it again at the source (a report may not add privileges, so straight into the table); a
		// retried apply must not take it away a second time.
		this.jdbc.sql("insert into nhi_privilege (identity_id, privilege) values (?, 'iam:admin')")
			.param(this.identity)
			.update();
		this.connector.apply(call);

		assertThat(this.inventory.privileges(this.identity)).contains("iam:admin");
		assertThat(uses(receipt)).isEqualTo(1);
		assertThat(this.jdbc.sql("select count(*) from inventory_change where response_id = ?")
			.param(this.responseId)
			.query(Long.class)
			.single()).isEqualTo(1);
	}

	@Test
	void shouldRefuseReceiptForAnotherActionAndChangeNothing() {
		StagedAction approved = credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.apiKey);
		StagedAction presented = credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey);
		Snapshot before = snapshot();
		String key = key();

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.connector.apply(new ConnectorCall(this.responseId, presented, key, issue(approved).token())));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.FINGERPRINT_MISMATCH);
		assertThat(snapshot()).isEqualTo(before);
		assertThat(this.journal.change(key)).isEmpty();
	}

	@Test
	void shouldRefuseReceiptSpentByAnotherKeyAndChangeNothing() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey);
		IssuedReceipt receipt = issue(action);
		ConnectorCall first = new ConnectorCall(this.responseId, action, key(), receipt.token());
		this.connector.apply(first);
		this.connector.rollback(first);
		Snapshot before = snapshot();
		String replayKey = key();

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.connector.apply(new ConnectorCall(this.responseId, action, replayKey, receipt.token())));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.REPLAYED);
		assertThat(snapshot()).isEqualTo(before);
		assertThat(before.credentials()).containsEntry(this.apiKey, CredentialStatus.ACTIVE);
		assertThat(this.journal.change(replayKey)).isEmpty();
	}

	@Test
	void shouldRefuseGarbageReceiptAndChangeNothing() {
		StagedAction action = identityAction(ActionTypes.IDENTITY_QUARANTINE);
		Snapshot before = snapshot();
		String key = key();

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.connector.apply(new ConnectorCall(this.responseId, action, key, "not.a-receipt.at-all")));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.MALFORMED);
		assertThat(snapshot()).isEqualTo(before);
		assertThat(this.journal.change(key)).isEmpty();
	}

	@Test
	void shouldRefuseReceiptOfAnotherResponseAndChangeNothing() {
		StagedAction action = identityAction(ActionTypes.IDENTITY_SUSPEND);
		IssuedReceipt foreign = this.receipts.issue(new ReceiptRequest(UUID.randomUUID().toString(),
				action.fingerprint(), List.of("alice"), "one-of:security-leads", null, null));
		Snapshot before = snapshot();

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.connector.apply(new ConnectorCall(this.responseId, action, key(), foreign.token())));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.SUBJECT_MISMATCH);
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void shouldStageEveryTypeWithoutChangingAnything() {
		Snapshot before = snapshot();

		for (StagedAction action : List.of(credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.apiKey),
				credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey),
				credentialAction(ActionTypes.CREDENTIAL_ENABLE, this.disabledPartner),
				reduce(List.of("iam:admin"), List.of("payments:read")), identityAction(ActionTypes.IDENTITY_SUSPEND),
				identityAction(ActionTypes.IDENTITY_QUARANTINE), isolate("payments-batch"),
				federation(List.of(this.activePartner, this.disabledPartner)), rotate(this.apiKey, 1, 2))) {
			this.connector.stage(new ConnectorCall(this.responseId, action, key(), null));
		}

		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseToStageWhatCannotRunNow() {
		String otherIdentity = "svc-other-" + this.suffix;
		String otherCredential = "key-other-" + this.suffix;
		upsert(otherIdentity, IdentityStatus.QUARANTINED,
				List.of(credential(otherCredential, CredentialKind.API_KEY, CredentialStatus.ACTIVE)));
		this.connector.apply(call(isolate("payments-batch"), key()));
		Snapshot before = snapshot();

		assertStageRefused(credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.disabledPartner), "is DISABLED");
		assertStageRefused(credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.suspendedPartner), "is SUSPENDED");
		assertStageRefused(credentialAction(ActionTypes.CREDENTIAL_ENABLE, this.apiKey), "is ACTIVE");
		assertStageRefused(credentialAction(ActionTypes.CREDENTIAL_DISABLE, otherCredential),
				"not a credential of identity");
		assertStageRefused(action(ActionTypes.IDENTITY_QUARANTINE, otherIdentity, Map.of("identity", otherIdentity)),
				"is QUARANTINED");
		assertStageRefused(identityAction(ActionTypes.IDENTITY_RELEASE), "is ACTIVE");
		assertStageRefused(action(ActionTypes.IDENTITY_SUSPEND, "ghost", Map.of("identity", "ghost-" + this.suffix)),
				"does not exist");
		assertStageRefused(reduce(List.of("iam:admin", "s3:delete"), List.of()), "does not hold [s3:delete]");
		assertStageRefused(reduce(List.of("iam:admin"), List.of("s3:read")), "does not hold [s3:read]");
		assertStageRefused(reduce(List.of(), List.of("payments:read")), "at least one privilege");
		assertStageRefused(reduce(List.of("iam:admin"), List.of("iam:admin")), "both removes and keeps");
		assertStageRefused(isolate("unknown-workload"), "not a consumer");
		assertStageRefused(isolate("payments-batch"), "isolated already");
		assertStageRefused(federation(this.apiKey, List.of()), "not a FEDERATED_TRUST");
		assertStageRefused(federation(List.of(this.activePartner, otherCredential)), "not a credential of identity");
		assertStageRefused(action("credential.delete", this.apiKey, Map.of("identity", this.identity)),
				"does not handle action type 'credential.delete'");
		assertStageRefused(action(ActionTypes.CREDENTIAL_DISABLE, this.apiKey, Map.of("identity", this.identity)),
				"needs a text parameter 'credential'");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseApplyWhenTheTargetMovedSinceStagingAndLeaveTheReceiptUnspent() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.apiKey);
		this.connector.stage(new ConnectorCall(this.responseId, action, key(), null));
		this.connector.apply(call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey), key()));
		IssuedReceipt receipt = issue(action);
		String key = key();

		assertThatThrownBy(
				() -> this.connector.apply(new ConnectorCall(this.responseId, action, key, receipt.token())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is DISABLED");

		assertThat(this.inventory.credentialStatus(this.apiKey)).contains(CredentialStatus.DISABLED);
		assertThat(this.journal.change(key)).isEmpty();
		assertThat(uses(receipt)).as("a refused apply does not spend the approval").isZero();
	}

	@Test
	void shouldLeaveTheCallersTransactionUsableWhenApplyIsRefused() {
		StagedAction refusedAction = credentialAction(ActionTypes.CREDENTIAL_ENABLE, this.apiKey);
		StagedAction nextAction = identityAction(ActionTypes.IDENTITY_SUSPEND);
		IssuedReceipt refusedReceipt = issue(refusedAction);
		ConnectorCall next = call(nextAction, key());

		new TransactionTemplate(this.transactionManager).executeWithoutResult(status -> {
			assertThatThrownBy(() -> this.connector
				.apply(new ConnectorCall(this.responseId, refusedAction, key(), refusedReceipt.token())))
				.isInstanceOf(ConnectorException.class);
			// The job takes its error path and goes on in the same transaction.
			this.connector.apply(next);
		});

		assertThat(this.inventory.identityStatus(this.identity)).contains(IdentityStatus.SUSPENDED);
		assertThat(uses(refusedReceipt)).isZero();
	}

	@Test
	void shouldChangeNothingWhenRollingBackAKeyNeverApplied() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey);
		Snapshot before = snapshot();
		String key = key();

		this.connector.rollback(call(action, key));

		assertThat(snapshot()).isEqualTo(before);
		assertThat(this.journal.undo(key)).isFalse();
	}

	@Test
	void shouldRollBackOnlyOnce() {
		StagedAction action = credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey);
		ConnectorCall call = call(action, key());
		this.connector.apply(call);
		this.connector.rollback(call);
		// Disabled again by a later, separate action: a repeated rollback must not undo that one.
		this.connector.apply(call(action, key()));

		this.connector.rollback(call);

		assertThat(this.inventory.credentialStatus(this.apiKey)).contains(CredentialStatus.DISABLED);
		assertThat(this.jdbc.sql("select rolled_back_at from inventory_change where idempotency_key = ?")
			.param(call.idempotencyKey())
			.query(java.sql.Timestamp.class)
			.single()).isNotNull();
	}

	@Test
	void shouldRefuseRollbackWhenTheTargetChangedAgainSince() {
		StagedAction suspend = credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.apiKey);
		ConnectorCall call = call(suspend, key());
		this.connector.apply(call);
		this.connector.apply(call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey), key()));

		assertThatThrownBy(() -> this.connector.rollback(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is DISABLED now");

		assertThat(this.inventory.credentialStatus(this.apiKey)).as("the later revocation stands")
			.contains(CredentialStatus.DISABLED);
	}

	@Test
	void shouldRestoreNothingWhenPartOfAnUndoWouldOverwriteALaterChange() {
		StagedAction action = federation(List.of(this.activePartner));
		ConnectorCall call = call(action, key());
		this.connector.apply(call);
		this.connector.apply(call(credentialAction(ActionTypes.CREDENTIAL_ENABLE, this.activePartner), key()));
		this.connector.apply(call(credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.activePartner), key()));

		assertThatThrownBy(() -> this.connector.rollback(call)).isInstanceOf(ConnectorException.class)
			.hasMessageContaining(this.activePartner);

		assertThat(this.inventory.credentialStatus(this.trust)).as("not half undone")
			.contains(CredentialStatus.DISABLED);
	}

	@Test
	void shouldRefuseToUndoAnotherActionsChangeWithThisReceipt() {
		ConnectorCall applied = call(identityAction(ActionTypes.IDENTITY_QUARANTINE), key());
		this.connector.apply(applied);
		StagedAction other = credentialAction(ActionTypes.CREDENTIAL_SUSPEND, this.apiKey);

		assertThatThrownBy(() -> this.connector.rollback(call(other, applied.idempotencyKey())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("not for this action");

		assertThat(this.inventory.identityStatus(this.identity)).contains(IdentityStatus.QUARANTINED);
	}

	@Test
	void shouldFailVerifyNamingWhatItFound() {
		assertThatThrownBy(
				() -> this.connector.verify(call(credentialAction(ActionTypes.CREDENTIAL_DISABLE, this.apiKey), key())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is ACTIVE, expected DISABLED");
		assertThatThrownBy(() -> this.connector.verify(call(reduce(List.of("iam:admin"), List.of()), key())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("still holds [iam:admin]");
		assertThatThrownBy(() -> this.connector.verify(call(isolate("checkout-web"), key())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is not isolated");
		assertThatThrownBy(() -> this.connector.verify(call(federation(List.of(this.activePartner)), key())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is ACTIVE, expected DISABLED");
		assertThatThrownBy(() -> this.connector.verify(call(identityAction(ActionTypes.IDENTITY_SUSPEND), key())))
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining("is ACTIVE, expected SUSPENDED");
	}

	@Test
	void shouldRefuseVerifyWithAReceiptForAnotherAction() {
		StagedAction action = identityAction(ActionTypes.IDENTITY_SUSPEND);
		ConnectorCall call = call(action, key());
		this.connector.apply(call);

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.connector.verify(new ConnectorCall(this.responseId, action, call.idempotencyKey(),
						issue(identityAction(ActionTypes.IDENTITY_QUARANTINE)).token())));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.FINGERPRINT_MISMATCH);
	}

	@Test
	void shouldHandleEveryActionType() {
		assertThat(this.connector.name()).isEqualTo("inventory");
		for (String type : ActionTypes.ALL) {
			Throwable staged = catchThrowableOfType(ConnectorException.class, () -> this.connector
				.stage(new ConnectorCall(this.responseId, action(type, this.identity, Map.of()), key(), null)));
			assertThat(staged).as(type).hasMessageNotContaining("does not handle");
		}
	}

	/**
	 * Applies and verifies the action, checks the change, then rolls it back and checks the inventory is exactly as
	 * before. Returns the state before.
	 */
	private Snapshot applyVerifyAndRollBack(StagedAction action, java.util.function.Consumer<Snapshot> changed) {
		Snapshot before = snapshot();
		ConnectorCall call = call(action, key());
		this.connector.stage(new ConnectorCall(this.responseId, action, key(), null));

		this.connector.apply(call);
		this.connector.verify(call);
		Snapshot after = snapshot();
		changed.accept(after);
		assertThat(after).isNotEqualTo(before);
		this.connector.rollback(call);

		assertThat(snapshot()).isEqualTo(before);
		assertThatThrownBy(() -> this.connector.verify(call)).isInstanceOf(ConnectorException.class);
		return before;
	}

	private void assertStageRefused(StagedAction action, String message) {
		assertThatThrownBy(() -> this.connector.stage(new ConnectorCall(this.responseId, action, key(), null)))
			.as(action.toJson())
			.isInstanceOf(ConnectorException.class)
			.hasMessageContaining(message);
	}

	private ConnectorCall call(StagedAction action, String key) {
		return new ConnectorCall(this.responseId, action, key, issue(action).token());
	}

	private IssuedReceipt issue(StagedAction action) {
		return this.receipts.issue(new ReceiptRequest(this.responseId, action.fingerprint(), List.of("alice"),
				"one-of:security-leads", null, null));
	}

	private long uses(IssuedReceipt receipt) {
		return this.jdbc.sql("select count(*) from receipt_use where receipt_id = ?")
			.param(receipt.id())
			.query(Long.class)
			.single();
	}

	private static String key() {
		return UUID.randomUUID() + ":apply";
	}

	private StagedAction credentialAction(String type, String credential) {
		return action(type, credential, Map.of("identity", this.identity, "credential", credential));
	}

	private StagedAction rotate(String credential, int from, int to) {
		return action(ActionTypes.CREDENTIAL_ROTATE, credential, Map.of("identity", this.identity, "credential",
				credential, "fromVersion", from, "toVersion", to));
	}

	/** What the file sink holds for the credential: what its consumers would read. */
	private String delivered(String credential) {
		try {
			return Files.readString(this.secrets.resolve("inventory").resolve(credential));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private Identity.Credential credentialOf(String credential) {
		return this.inventory.find(this.identity).orElseThrow().credential(credential);
	}

	private StagedAction identityAction(String type) {
		return action(type, this.identity, Map.of("identity", this.identity));
	}

	private StagedAction reduce(List<String> remove, List<String> keep) {
		return action(ActionTypes.PRIVILEGES_REDUCE, this.identity,
				Map.of("identity", this.identity, "remove", remove, "keep", keep));
	}

	private StagedAction isolate(String workload) {
		return action(ActionTypes.WORKLOAD_ISOLATE, this.identity,
				Map.of("identity", this.identity, "workload", workload, "customerFacing", true));
	}

	private StagedAction federation(List<String> partners) {
		return federation(this.trust, partners);
	}

	private StagedAction federation(String trust, List<String> partners) {
		return action(ActionTypes.FEDERATION_DISABLE, trust,
				Map.of("identity", this.identity, "trust", trust, "partnerCredentials", partners));
	}

	private static StagedAction action(String type, String target, Map<String, Object> parameters) {
		JsonNode node = JSON.valueToTree(parameters);
		return new StagedAction(type, target, node);
	}

	private void upsert(String id, IdentityStatus status, List<CredentialRequest> credentials) {
		this.inventory.upsert(id,
				new IdentityUpsertRequest("team-payments", "connector test", Environment.PRODUCTION, status,
						List.of("payments:read", "payments:refund", "ledger:write", "iam:admin"),
						List.of(new ConsumerRequest("checkout-web", true, null),
								new ConsumerRequest("payments-batch", false, null)),
						credentials));
	}

	private static CredentialRequest credential(String id, CredentialKind kind, CredentialStatus status) {
		return new CredentialRequest(id, kind, status, StagedAction.sha256("v1 of " + id));
	}

	private Snapshot snapshot() {
		Identity found = this.inventory.find(this.identity).orElseThrow();
		Map<String, Boolean> isolated = new LinkedHashMap<>();
		found.consumers().forEach(consumer -> isolated.put(consumer.name(), consumer.isolated()));
		Map<String, CredentialStatus> credentials = new LinkedHashMap<>();
		found.credentials().forEach(credential -> credentials.put(credential.id(), credential.status()));
		Map<String, Integer> versions = new LinkedHashMap<>();
		found.credentials().forEach(credential -> versions.put(credential.id(), credential.currentVersion()));
		return new Snapshot(found.status(), found.privileges(), isolated, credentials, versions);
	}

	/** What the actions change, without timestamps. */
	private record Snapshot(IdentityStatus status, List<String> privileges, Map<String, Boolean> isolated,
			Map<String, CredentialStatus> credentials, Map<String, Integer> versions) {
	}

}
