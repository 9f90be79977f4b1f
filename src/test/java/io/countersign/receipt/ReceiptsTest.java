package io.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.countersign.action.StagedAction;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Issue, verify and spend receipts through the application's own beans and transactions. */
@ProcessEngineTest
@Import(MutableClock.Configuration.class)
class ReceiptsTest {

	static final String CONSUMER = "secret-rotation-connector";

	@Autowired
	Receipts receipts;

	@Autowired
	ReceiptVerifier verifier;

	@Autowired
	ReceiptKeys keys;

	@Autowired
	ReceiptProperties properties;

	@Autowired
	MutableClock clock;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Autowired
	ProcessEngine processEngine;

	final String subject = "response-" + UUID.randomUUID();

	final String fingerprint = StagedAction.sha256("rotate " + this.subject);

	@Test
	void shouldVerifyIssuedReceipt() throws Exception {
		IssuedReceipt issued = this.receipts.issue(new ReceiptRequest(this.subject, this.fingerprint,
				List.of("bob", "dave"), "two-of:platform-owners,security-leads", null,
				Map.of("playbook", "secret-rotation", "environment", "production")));

		VerifiedReceipt verified = this.verifier.verify(issued.token(), this.subject, this.fingerprint);

		assertThat(verified.id()).isEqualTo(issued.id());
		assertThat(verified.subject()).isEqualTo(this.subject);
		assertThat(verified.fingerprint()).isEqualTo(this.fingerprint);
		assertThat(verified.approvers()).containsExactly("bob", "dave");
		assertThat(verified.policyRule()).isEqualTo("two-of:platform-owners,security-leads");
		assertThat(verified.keyId()).isEqualTo(issued.keyId()).isEqualTo(this.keys.signingKey().kid());
		assertThat(verified.issuedAt()).isEqualTo(issued.issuedAt());
		assertThat(verified.expiresAt()).isEqualTo(issued.expiresAt())
			.isEqualTo(issued.issuedAt().plus(Duration.ofMinutes(15)));
		assertThat(verified.claims()).containsEntry("iss", "countersign")
			.containsEntry("playbook", "secret-rotation")
			.containsEntry("environment", "production")
			.containsEntry("exp", issued.expiresAt().getEpochSecond());
		SignedJWT jwt = SignedJWT.parse(issued.token());
		assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
		assertThat(jwt.getHeader().getType()).hasToString("countersign-receipt+jwt");
		assertThat(jwt.getHeader().getKeyID()).isEqualTo(issued.keyId());
		assertThat(UUID.fromString(jwt.getJWTClaimsSet().getJWTID())).hasToString(issued.id());
		assertThat(issued.toString()).doesNotContain(issued.token());
	}

	@Test
	void shouldHonourRequestedTtlUpToTheMaximum() {
		IssuedReceipt issued = this.receipts.issue(request(Duration.ofDays(1), null));

		assertThat(Duration.between(issued.issuedAt(), issued.expiresAt())).isEqualTo(Duration.ofDays(1));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.receipts.issue(request(Duration.ofDays(1).plusSeconds(1), null)))
			.withMessageContaining("exceeds countersign.receipts.max-ttl");
	}

	@Test
	void shouldRefuseInvalidRequests() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> request(null, Map.of("sub", "someone-else")))
			.withMessageContaining("'sub' is reserved");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> request(null, Map.of("approvers", List.of("mallory"))))
			.withMessageContaining("'approvers' is reserved");
		assertThatIllegalArgumentException().isThrownBy(() -> request(null, Map.of("when", new Date())))
			.withMessageContaining("not a JSON value");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ReceiptRequest(this.subject, "sha256:abc", List.of("bob"), "rule", null, null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ReceiptRequest(this.subject, this.fingerprint, List.of(), "rule", null, null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ReceiptRequest(this.subject, this.fingerprint, List.of("bob"), "rule", Duration.ZERO,
					null));
	}

	@Test
	void shouldRefuseMalformedToken() {
		assertThat(reason("")).isEqualTo(ReceiptRejectedException.MALFORMED);
		assertThat(reason("not-a-token")).isEqualTo(ReceiptRejectedException.MALFORMED);
		assertThat(reason("a.b.c")).isEqualTo(ReceiptRejectedException.MALFORMED);
		assertThat(reason(new PlainJWT(claims(this.subject).build()).serialize()))
			.as("alg none is no signature at all")
			.isEqualTo(ReceiptRejectedException.MALFORMED);
	}

	@Test
	void shouldRefuseTamperedPayload() throws Exception {
		String[] parts = issue().token().split("\\.");
		JWTClaimsSet changed = new JWTClaimsSet.Builder(SignedJWT.parse(issue().token()).getJWTClaimsSet())
			.claim(ReceiptClaims.APPROVERS, List.of("mallory"))
			.build();
		String payload = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(changed.toString().getBytes(StandardCharsets.UTF_8));

		assertThat(reason(parts[0] + "." + payload + "." + parts[2])).isEqualTo(ReceiptRejectedException.FOREIGN);
	}

	@Test
	void shouldRefuseTamperedSignature() {
		String token = issue().token();
		String[] parts = token.split("\\.");
		byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
		signature[10] ^= 0x01;

		String flipped = Base64.getUrlEncoder().withoutPadding().encodeToString(signature);

		assertThat(reason(parts[0] + "." + parts[1] + "." + flipped)).isEqualTo(ReceiptRejectedException.FOREIGN);
	}

	@Test
	void shouldRefuseUnknownKeyId() throws Exception {
		assertThat(reason(sign(strangerKey("unknown-kid"), "unknown-kid", claims(this.subject))))
			.isEqualTo(ReceiptRejectedException.FOREIGN);
	}

	@Test
	void shouldRefuseReceiptSignedByAnotherKeyPairUnderOurKeyId() throws Exception {
		String ourKid = this.keys.signingKey().kid();

		assertThat(reason(sign(strangerKey(ourKid), ourKid, claims(this.subject))))
			.isEqualTo(ReceiptRejectedException.FOREIGN);
	}

	@Test
	void shouldRefuseReceiptFromAnotherIssuer() throws Exception {
		SigningKey ours = this.keys.signingKey();

		assertThat(reason(sign(ours.signer(), ours.kid(), claims(this.subject).issuer("someone-else"))))
			.isEqualTo(ReceiptRejectedException.FOREIGN);
	}

	@Test
	void shouldRefuseOtherTokenTypesAndAlgorithms() throws Exception {
		SigningKey ours = this.keys.signingKey();
		SignedJWT plainJwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ours.kid())
			.type(JOSEObjectType.JWT)
			.build(), claims(this.subject).build());
		plainJwt.sign(ours.signer());
		// The classic confusion: our public key used as an HMAC secret.
		SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(ours.kid())
			.type(ReceiptClaims.TYPE)
			.build(), claims(this.subject).build());
		hmac.sign(new MACSigner(ours.jwk().toPublicJWK().toJSONString().repeat(2).getBytes(StandardCharsets.UTF_8)));

		assertThat(reason(plainJwt.serialize())).isEqualTo(ReceiptRejectedException.FOREIGN);
		assertThat(reason(hmac.serialize())).isEqualTo(ReceiptRejectedException.FOREIGN);
	}

	@Test
	void shouldRefuseExpiredReceiptWithoutLeeway() {
		IssuedReceipt issued = issue();

		this.clock.set(issued.expiresAt().minusMillis(1));
		assertThat(this.verifier.verify(issued.token(), this.subject, this.fingerprint).id()).isEqualTo(issued.id());
		this.clock.set(issued.expiresAt());

		assertThat(reason(issued.token())).isEqualTo(ReceiptRejectedException.EXPIRED);
	}

	@Test
	void shouldVerifyForUndoAfterExpiryWithoutSpending() {
		IssuedReceipt issued = issue();
		this.clock.set(issued.expiresAt().plus(Duration.ofDays(2)));

		VerifiedReceipt verified = this.verifier.verifyForUndo(issued.token(), this.subject, this.fingerprint);

		assertThat(verified.id()).isEqualTo(issued.id());
		assertThat(reason(issued.token())).as("applying still needs an unexpired receipt")
			.isEqualTo(ReceiptRejectedException.EXPIRED);
		assertThat(uses(issued.id())).isZero();
	}

	@Test
	void shouldRefuseForUndoAReceiptForAnotherActionOrNotOurs() throws Exception {
		String token = issue().token();

		assertThat(undoReason(token, this.subject, StagedAction.sha256("another action")))
			.isEqualTo(ReceiptRejectedException.FINGERPRINT_MISMATCH);
		assertThat(undoReason(token, "response-other", this.fingerprint))
			.isEqualTo(ReceiptRejectedException.SUBJECT_MISMATCH);
		assertThat(undoReason(sign(strangerKey("unknown-kid"), "unknown-kid", claims(this.subject)), this.subject,
				this.fingerprint))
			.isEqualTo(ReceiptRejectedException.FOREIGN);
		assertThat(undoReason("not-a-token", this.subject, this.fingerprint))
			.isEqualTo(ReceiptRejectedException.MALFORMED);
	}

	@Test
	void shouldRefuseReceiptForAnotherSubject() {
		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.verifier.verify(issue().token(), "response-other", this.fingerprint));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.SUBJECT_MISMATCH);
	}

	@Test
	void shouldRefuseReceiptForAnotherAction() {
		String changedAction = StagedAction.sha256("rotate something else");

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.verifier.verifyAndConsume(issue().token(), this.subject, changedAction, CONSUMER));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.FINGERPRINT_MISMATCH);
	}

	@Test
	void shouldRefuseReplayedReceipt() {
		IssuedReceipt issued = issue();
		this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint, CONSUMER);

		ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint, "other-consumer"));

		assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.REPLAYED);
		assertThat(refused).hasMessageContaining(CONSUMER);
		assertThat(this.verifier.verify(issued.token(), this.subject, this.fingerprint).id())
			.as("verify alone does not spend").isEqualTo(issued.id());
		assertThat(this.jdbc.sql("select consumer from receipt_use where receipt_id = ?")
			.param(issued.id())
			.query(String.class)
			.single()).isEqualTo(CONSUMER);
	}

	@Test
	void shouldConsumeAgainWhenTheCallersTransactionRolledBack() {
		IssuedReceipt issued = issue();
		TransactionTemplate callers = new TransactionTemplate(this.transactionManager);

		callers.executeWithoutResult(status -> {
			this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint, CONSUMER);
			// The connector's change failed.
			status.setRollbackOnly();
		});
		VerifiedReceipt retried = this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint,
				CONSUMER);

		assertThat(retried.id()).isEqualTo(issued.id());
	}

	@Test
	void shouldConsumeInTheEnginesTransaction() {
		IssuedReceipt issued = issue();
		CommandExecutor engine = ((ProcessEngineConfigurationImpl) this.processEngine.getProcessEngineConfiguration())
			.getCommandExecutorTxRequired();

		// An apply job whose connector call fails after the receipt was spent: the engine rolls everything back.
		assertThatIllegalStateException().isThrownBy(() -> engine.execute(commandContext -> {
			this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint, CONSUMER);
			throw new IllegalStateException("connector failed");
		}));
		assertThat(uses(issued.id())).isZero();
		engine.execute(commandContext -> this.verifier.verifyAndConsume(issued.token(), this.subject,
				this.fingerprint, CONSUMER));

		assertThat(uses(issued.id())).isEqualTo(1);
	}

	@Test
	void shouldLeaveTheCallersTransactionUsableAfterReplay() {
		IssuedReceipt issued = issue();
		IssuedReceipt other = issue();
		TransactionTemplate callers = new TransactionTemplate(this.transactionManager);

		callers.executeWithoutResult(status -> {
			this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint, CONSUMER);
			ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
					() -> this.verifier.verifyAndConsume(issued.token(), this.subject, this.fingerprint, CONSUMER));
			assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.REPLAYED);
			// The job goes on (a BPMN error path) in the same transaction.
			this.verifier.verifyAndConsume(other.token(), this.subject, this.fingerprint, CONSUMER);
		});

		assertThat(uses(issued.id(), other.id())).isEqualTo(2);
	}

	@Test
	void shouldLeaveTheCallersTransactionUsableWhenTheInsertItselfHitsADuplicate() {
		String receiptId = UUID.randomUUID().toString();
		String next = UUID.randomUUID().toString();
		ReceiptUses uses = new ReceiptUses(this.jdbc, this.transactionManager);
		TransactionTemplate callers = new TransactionTemplate(this.transactionManager);

		callers.executeWithoutResult(status -> {
			assertThat(uses.record(receiptId, this.subject, CONSUMER, this.clock.instant())).isTrue();
			// What a racing node's committed use looks like to us: the look-up said no, the insert fails.
			assertThat(uses.record(receiptId, this.subject, CONSUMER, this.clock.instant())).isFalse();
			assertThat(uses.record(next, this.subject, CONSUMER, this.clock.instant())).isTrue();
		});

		assertThat(uses(receiptId, next)).isEqualTo(2);
	}

	@Test
	void shouldKeepSigningKeyAcrossRestart() {
		ReceiptKeys restarted = new ReceiptKeys(this.jdbc, this.transactionManager, this.properties, this.clock);
		restarted.afterSingletonsInstantiated();
		Receipts restartedReceipts = new Receipts(restarted, this.properties, this.clock);

		IssuedReceipt issued = restartedReceipts.issue(request(null, null));

		assertThat(issued.keyId()).isEqualTo(this.keys.signingKey().kid());
		assertThat(this.verifier.verify(issued.token(), this.subject, this.fingerprint).id()).isEqualTo(issued.id());
	}

	@Test
	void shouldVerifyReceiptsOfARetiredKeyUntilItsPublicationEnds() {
		// Start from a key created now, so that its rotation is due exactly one rotation period from here.
		this.clock.advance(this.properties.rotationPeriod());
		String oldKid = this.keys.refresh().kid();
		this.clock.advance(this.properties.rotationPeriod().minusHours(1));
		IssuedReceipt old = this.receipts.issue(request(this.properties.maxTtl(), null));
		assertThat(old.keyId()).isEqualTo(oldKid);

		this.clock.advance(Duration.ofHours(1));
		IssuedReceipt fresh = issue();

		assertThat(fresh.keyId()).isNotEqualTo(oldKid);
		assertThat(this.keys.publishedKeys()).extracting(key -> key.getKeyID()).containsExactly(fresh.keyId(), oldKid);
		assertThat(this.verifier.verify(old.token(), this.subject, this.fingerprint).keyId()).isEqualTo(oldKid);
		this.clock.set(old.expiresAt());
		assertThat(reason(old.token())).isEqualTo(ReceiptRejectedException.EXPIRED);
		this.clock.set(old.issuedAt().plus(Duration.ofHours(1)).plus(this.properties.maxTtl()));
		assertThat(reason(old.token())).as("key no longer published").isEqualTo(ReceiptRejectedException.FOREIGN);
		assertThat(this.keys.publishedKeys()).extracting(key -> key.getKeyID()).containsExactly(fresh.keyId());
	}

	IssuedReceipt issue() {
		return this.receipts.issue(request(null, null));
	}

	ReceiptRequest request(Duration ttl, Map<String, Object> extraClaims) {
		return new ReceiptRequest(this.subject, this.fingerprint, List.of("bob"), "one-of:platform-owners", ttl,
				extraClaims);
	}

	String reason(String token) {
		return catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.verifier.verify(token, this.subject, this.fingerprint))
			.reason();
	}

	String undoReason(String token, String subject, String fingerprint) {
		return catchThrowableOfType(ReceiptRejectedException.class,
				() -> this.verifier.verifyForUndo(token, subject, fingerprint))
			.reason();
	}

	JWTClaimsSet.Builder claims(String subject) {
		Instant now = this.clock.instant();
		return new JWTClaimsSet.Builder().issuer("countersign")
			.subject(subject)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(600)))
			.claim(ReceiptClaims.FINGERPRINT, this.fingerprint)
			.claim(ReceiptClaims.APPROVERS, List.of("mallory"))
			.claim(ReceiptClaims.POLICY_RULE, "one-of:platform-owners");
	}

	static JWSSigner strangerKey(String kid) throws Exception {
		return new ECDSASigner(new ECKeyGenerator(Curve.P_256).keyID(kid).generate());
	}

	static String sign(JWSSigner signer, String kid, JWTClaimsSet.Builder claims) throws Exception {
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(ReceiptClaims.TYPE).build(), claims.build());
		jwt.sign(signer);
		return jwt.serialize();
	}

	long uses(String... receiptIds) {
		return this.jdbc.sql("select count(*) from receipt_use where receipt_id in (:ids)")
			.param("ids", List.of(receiptIds))
			.query(Long.class)
			.single();
	}

}
