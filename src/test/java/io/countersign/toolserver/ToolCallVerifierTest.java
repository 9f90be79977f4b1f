package io.countersign.toolserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.countersign.toolserver.CountersignStub.Answer;
import io.countersign.toolserver.ToolCallVerifier.Refused;
import io.countersign.toolserver.ToolCallVerifier.Use;
import io.countersign.toolserver.ToolCallVerifier.Verified;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Receipts signed here as the Countersign server signs them, checked against a stub of its two endpoints. */
class ToolCallVerifierTest {

	static final String TOOL = "payments.refund";

	/** As an agent might send them: the verifier must not care about spacing or member order. */
	static final String ARGUMENTS = "{\"orderId\": \"o-42\", \"amount\": 12.50, \"currency\": \"EUR\", \"lines\": [1, 2]}";

	static final JOSEObjectType RECEIPT_TYPE = new JOSEObjectType("countersign-receipt+jwt");

	static final Instant NOW = Instant.parse("2026-03-02T10:15:30Z");

	static ECKey key;

	static ECKey otherKey;

	final MutableClock clock = new MutableClock(NOW);

	final String actionId = UUID.randomUUID().toString();

	final String receiptId = UUID.randomUUID().toString();

	CountersignStub countersign;

	ToolCallVerifier verifier;

	@BeforeAll
	static void keys() throws Exception {
		key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
		otherKey = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
	}

	@BeforeEach
	void startCountersign() throws Exception {
		this.countersign = new CountersignStub();
		this.countersign.publish(key.toPublicJWK());
		this.verifier = verifier(Duration.ofSeconds(5));
	}

	@AfterEach
	void stopCountersign() {
		this.countersign.close();
	}

	@Test
	void shouldAcceptValidReceiptAndReturnItsClaims() throws Exception {
		String receipt = sign(key, claims(c -> c.claim("grant", "grant-7")));

		Verified verified = this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);

		assertThat(verified.actionId()).isEqualTo(this.actionId);
		assertThat(verified.receiptId()).isEqualTo(this.receiptId);
		assertThat(verified.agent()).isEqualTo("refund-bot");
		assertThat(verified.accountId()).isEqualTo("acct-1");
		assertThat(verified.tool()).isEqualTo(TOOL);
		assertThat(verified.scope()).containsExactly("payments:refund", "payments:read");
		assertThat(verified.approvers()).containsExactly("alice", "bob");
		assertThat(verified.policyRule()).isEqualTo("two-of:payments-leads");
		assertThat(verified.grant()).isEqualTo("grant-7");
		assertThat(verified.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
	}

	@Test
	void shouldReturnNoGrantOrScopeWhenTheReceiptHasNone() throws Exception {
		String receipt = sign(key, claims(c -> c.claim("scope", null)));

		Verified verified = this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);

		assertThat(verified.grant()).isNull();
		assertThat(verified.scope()).isEmpty();
	}

	@Test
	void shouldRefuseReceiptForDifferentArguments() throws Exception {
		String receipt = sign(key, claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS.replace("12.50", "1250"), Use.OFFLINE),
				"arguments-mismatch");
		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS.replace("\"o-42\"", "\"o-43\""), Use.OFFLINE),
				"arguments-mismatch");
		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS.replace("[1, 2]", "[2, 1]"), Use.OFFLINE),
				"arguments-mismatch");
	}

	@Test
	void shouldAcceptSameArgumentsInAnotherOrderAndSpelling() throws Exception {
		String receipt = sign(key, claims(c -> c));
		String sameArguments = "{\n  \"lines\":[1.0,2e0],\"currency\":\"\\u0045UR\",\n\t\"amount\":1.25E1,"
				+ "\"orderId\":\"o-42\"}";

		assertThat(this.verifier.verify(receipt, TOOL, sameArguments, Use.OFFLINE).actionId()).isEqualTo(this.actionId);
	}

	@Test
	void shouldRefuseArgumentsThatAreNotAJsonObject() throws Exception {
		String receipt = sign(key, claims(c -> c));

		for (String arguments : new String[] { "[1]", "{\"orderId\":\"o-42\",}", "{\"a\":1,\"a\":1}", "", null }) {
			assertRefused(() -> this.verifier.verify(receipt, TOOL, arguments, Use.OFFLINE), "arguments-mismatch");
		}
	}

	@Test
	void shouldRefuseReceiptForAnotherTool() throws Exception {
		String receipt = sign(key, claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, "payments.charge", ARGUMENTS, Use.OFFLINE), "tool-mismatch");
	}

	@Test
	void shouldRejectInvalidToolNameFromTheCaller() throws Exception {
		String receipt = sign(key, claims(c -> c));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.verifier.verify(receipt, "{payments}", ARGUMENTS, Use.OFFLINE));
		assertThatIllegalArgumentException().isThrownBy(() -> this.verifier.verify(receipt, null, ARGUMENTS, Use.OFFLINE));
	}

	@Test
	void shouldRefuseExpiredReceipt() throws Exception {
		String receipt = sign(key, claims(c -> c));
		this.clock.advance(Duration.ofMinutes(10).plusSeconds(1));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "expired");
	}

	@Test
	void shouldRefuseReceiptAtTheInstantItExpires() throws Exception {
		String receipt = sign(key, claims(c -> c));
		this.clock.set(NOW.plus(Duration.ofMinutes(10)).minusMillis(1));
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);

		this.clock.set(NOW.plus(Duration.ofMinutes(10)));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "expired");
	}

	@Test
	void shouldRefuseReceiptSignedByKeyNotPublished() throws Exception {
		String receipt = sign(otherKey, claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldRefuseReceiptSignedByOtherKeyWithPublishedKeyId() throws Exception {
		ECKey impostor = new ECKeyGenerator(Curve.P_256).keyID(key.getKeyID()).generate();
		String receipt = sign(impostor, claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldRefuseReceiptFromAnotherIssuer() throws Exception {
		String receipt = sign(key, claims(c -> c.issuer("countersign-staging")));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldAcceptReceiptFromConfiguredIssuer() throws Exception {
		ToolCallVerifier staging = ToolCallVerifier.builder(this.countersign.baseUrl())
			.issuer("countersign-staging")
			.clock(this.clock)
			.build();
		String receipt = sign(key, claims(c -> c.issuer("countersign-staging")));

		assertThat(staging.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE).receiptId()).isEqualTo(this.receiptId);
		assertRefused(() -> staging.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldRefuseUnsignedReceipt() throws Exception {
		String unsigned = new PlainJWT(claims(c -> c)).serialize();

		assertThat(unsigned).endsWith(".");
		assertRefused(() -> this.verifier.verify(unsigned, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
		String withNoneHeader = base64("{\"alg\":\"none\",\"typ\":\"countersign-receipt+jwt\",\"kid\":\"k1\"}") + "."
				+ unsigned.split("\\.")[1] + "." + base64(new byte[64]);
		assertRefused(() -> this.verifier.verify(withNoneHeader, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
		assertThat(this.countersign.jwksFetches()).isZero();
	}

	@Test
	void shouldRefuseReceiptSignedWithHmac() throws Exception {
		// The classic confusion: HS256 keyed with the public key the verifier holds.
		byte[] secret = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
		String receipt = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(RECEIPT_TYPE).keyID("k1").build(),
				new MACSigner(secret), claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldRefuseTokenOfAnotherType() throws Exception {
		for (JOSEObjectType type : new JOSEObjectType[] { JOSEObjectType.JWT, null,
				new JOSEObjectType("COUNTERSIGN-RECEIPT+JWT") }) {
			String token = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(type).keyID("k1").build(),
					new ECDSASigner(key), claims(c -> c));

			assertRefused(() -> this.verifier.verify(token, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
		}
	}

	@Test
	void shouldRefuseReceiptWithCriticalHeader() throws Exception {
		String receipt = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(RECEIPT_TYPE)
			.keyID("k1")
			.criticalParams(java.util.Set.of("exp"))
			.customParam("exp", 1)
			.build(), new ECDSASigner(key), claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldRefuseTamperedPayload() throws Exception {
		String receipt = sign(key, claims(c -> c));
		String[] parts = receipt.split("\\.");
		String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
		String tampered = parts[0] + "." + base64(payload.replace("refund-bot", "refund-bad")) + "." + parts[2];

		assertRefused(() -> this.verifier.verify(tampered, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldRefuseTamperedSignature() throws Exception {
		String receipt = sign(key, claims(c -> c));
		String[] parts = receipt.split("\\.");
		byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
		signature[10] ^= 1;

		assertRefused(() -> this.verifier.verify(parts[0] + "." + parts[1] + "." + base64(signature), TOOL, ARGUMENTS,
				Use.OFFLINE), "foreign");
		assertRefused(() -> this.verifier.verify(parts[0] + "." + parts[1] + "." + base64(new byte[63]), TOOL,
				ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedReceipts")
	void shouldRefuseMalformedReceipt(String description, String token) {
		assertRefused(() -> this.verifier.verify(token, TOOL, ARGUMENTS, Use.OFFLINE), "malformed");
		assertThat(this.countersign.jwksFetches()).isZero();
	}

	static Stream<Arguments> malformedReceipts() {
		String header = "{\"alg\":\"ES256\",\"typ\":\"countersign-receipt+jwt\",\"kid\":\"k1\"}";
		String claims = "{\"iss\":\"countersign\",\"sub\":\"" + UUID.randomUUID() + "\",\"jti\":\"r-1\",\"iat\":1,"
				+ "\"exp\":4102444800,\"fingerprint\":\"" + ToolCallVerifier.argumentsHash(TOOL, ARGUMENTS) + "\","
				+ "\"approvers\":[\"alice\"],\"policyRule\":\"r\",\"tool\":\"" + TOOL + "\",\"agent\":\"a\","
				+ "\"requestHash\":\"h\",\"accountId\":\"acct-1\"}";
		String signature = base64(new byte[64]);
		UnaryOperator<String> token = c -> base64(header) + "." + base64(c) + "." + signature;
		return Stream.of(Arguments.of("null", null), Arguments.of("empty", ""), Arguments.of("blank", "  "),
				Arguments.of("one part", "abc"), Arguments.of("two parts", base64(header) + "." + base64(claims)),
				Arguments.of("four parts", token.apply(claims) + ".abc"),
				Arguments.of("longer than 16 KiB",
						base64(header) + "." + base64(claims.replace("\"a\"", "\"" + "a".repeat(12_000) + "\"")) + "."
								+ signature),
				Arguments.of("padding", base64(header) + "=." + base64(claims) + "." + signature),
				Arguments.of("not base64url", base64(header) + "." + base64(claims).replace('_', '/') + "/." + signature),
				Arguments.of("impossible base64 length", "a." + base64(claims) + "." + signature),
				Arguments.of("header not JSON", base64("alg=ES256") + "." + base64(claims) + "." + signature),
				Arguments.of("header an array", base64("[" + header + "]") + "." + base64(claims) + "." + signature),
				Arguments.of("claims not JSON", token.apply(claims.replace("}", ",}"))),
				Arguments.of("claims an array", token.apply("[" + claims + "]")),
				Arguments.of("claims not UTF-8",
						base64(header) + "." + base64(new byte[] { '{', '"', (byte) 0xc3, '"', ':', '1', '}' }) + "."
								+ signature),
				Arguments.of("duplicate claim", token.apply(claims.replace("{\"iss\":\"countersign\",",
						"{\"iss\":\"countersign\",\"iss\":\"countersign\","))),
				Arguments.of("exp missing", token.apply(claims.replace("\"exp\":4102444800,", ""))),
				Arguments.of("exp a string", token.apply(claims.replace("4102444800", "\"4102444800\""))),
				Arguments.of("exp out of range", token.apply(claims.replace("4102444800", "1e100"))),
				Arguments.of("iat missing", token.apply(claims.replace("\"iat\":1,", ""))),
				Arguments.of("sub not a UUID", token.apply(claims.replaceFirst("\"sub\":\"[^\"]+\"", "\"sub\":\"../admin\""))),
				Arguments.of("approvers a string", token.apply(claims.replace("[\"alice\"]", "\"alice\""))),
				Arguments.of("approvers with a number", token.apply(claims.replace("[\"alice\"]", "[\"alice\",1]"))),
				Arguments.of("tool missing", token.apply(claims.replace("\"tool\":\"" + TOOL + "\",", ""))),
				Arguments.of("scope a list", token.apply(claims.replace("\"agent\"", "\"scope\":[\"a\"],\"agent\""))),
				Arguments.of("grant null", token.apply(claims.replace("\"agent\"", "\"grant\":null,\"agent\""))),
				Arguments.of("requestHash missing", token.apply(claims.replace("\"requestHash\":\"h\",", ""))),
				Arguments.of("accountId missing", token.apply(claims.replace(",\"accountId\":\"acct-1\"", ""))));
	}

	@Test
	void shouldPickUpRotatedKeyWithOneRefetch() throws Exception {
		this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE);
		this.countersign.publish(key.toPublicJWK(), otherKey.toPublicJWK());
		this.clock.advance(Duration.ofSeconds(31));
		String rotated = sign(otherKey, claims(c -> c));

		this.verifier.verify(rotated, TOOL, ARGUMENTS, Use.OFFLINE);
		this.verifier.verify(rotated, TOOL, ARGUMENTS, Use.OFFLINE);

		assertThat(this.countersign.jwksFetches()).isEqualTo(2);
	}

	@Test
	void shouldRefetchKeysForUnknownKeyIdAtMostEvery30Seconds() throws Exception {
		this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE);
		this.clock.advance(Duration.ofSeconds(31));
		String unknown = sign(new ECKeyGenerator(Curve.P_256).keyID("k-unknown").generate(), claims(c -> c));

		assertRefused(() -> this.verifier.verify(unknown, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
		assertThat(this.countersign.jwksFetches()).isEqualTo(2);
		this.countersign.publish(key.toPublicJWK(), otherKey.toPublicJWK());
		this.clock.advance(Duration.ofSeconds(29));
		assertRefused(() -> this.verifier.verify(unknown, TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
		assertRefused(() -> this.verifier.verify(sign(otherKey, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE),
				"foreign");
		assertThat(this.countersign.jwksFetches()).isEqualTo(2);

		this.clock.advance(Duration.ofSeconds(1));
		this.verifier.verify(sign(otherKey, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE);
		assertThat(this.countersign.jwksFetches()).isEqualTo(3);
	}

	@Test
	void shouldKeepKeysForFiveMinutes() throws Exception {
		String receipt = sign(key, claims(c -> c));
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);
		this.clock.advance(Duration.ofMinutes(5).minusMillis(1));
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);
		assertThat(this.countersign.jwksFetches()).isEqualTo(1);

		this.clock.advance(Duration.ofMillis(1));
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);

		assertThat(this.countersign.jwksFetches()).isEqualTo(2);
	}

	@Test
	void shouldRefuseReceiptsOnceKeysExpireAndCannotBeFetched() throws Exception {
		String receipt = sign(key, claims(c -> c));
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);
		this.countersign.answerKeys(Answer.status(503));
		this.clock.advance(Duration.ofMinutes(5));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "unverifiable");
		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "unverifiable");
		assertThat(this.countersign.jwksFetches()).as("no second attempt within 30 s").isEqualTo(2);
	}

	@Test
	void shouldRefuseAsUnverifiableWhenKeysAreNotAJwkSet() throws Exception {
		String receipt = sign(key, claims(c -> c));
		for (String body : new String[] { "<html>", "{\"keys\":{}}", "[]", "{\"keys\":[]}x" }) {
			ToolCallVerifier fresh = verifier(Duration.ofSeconds(5));
			this.countersign.answerKeys(new Answer(200, "application/json", body, Duration.ZERO));

			assertRefused(() -> fresh.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "unverifiable");
		}
	}

	@Test
	void shouldSkipKeysItCannotUse() throws Exception {
		RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
		ECKey encryptionKey = new ECKeyGenerator(Curve.P_256).keyID("enc-1")
			.keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION)
			.generate();
		ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("p384").generate();
		this.countersign.publish(rsa.toPublicJWK(), encryptionKey.toPublicJWK(), p384.toPublicJWK(), key.toPublicJWK());

		this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE);
		assertRefused(() -> this.verifier.verify(sign(encryptionKey, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE),
				"foreign");
	}

	@Test
	void shouldRefuseKeyWhosePointIsNotOnTheCurve() throws Exception {
		// Same x, y off by one: a point not on P-256.
		byte[] y = key.getY().decode();
		y[31] ^= 1;
		String jwks = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"x\":\"" + key.getX() + "\",\"y\":\""
				+ base64(y) + "\"}]}";
		this.countersign.answerKeys(new Answer(200, "application/json", jwks, Duration.ZERO));

		assertRefused(() -> this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE), "foreign");
	}

	@Test
	void shouldFetchKeysOnceWhenCalledConcurrently() throws Exception {
		String receipt = sign(key, claims(c -> c));
		ExecutorService threads = Executors.newFixedThreadPool(8);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Verified>> results = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				results.add(threads.submit((Callable<Verified>) () -> {
					start.await();
					return this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);
				}));
			}
			start.countDown();
			for (Future<Verified> result : results) {
				assertThat(result.get().receiptId()).isEqualTo(this.receiptId);
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.countersign.jwksFetches()).isEqualTo(1);
	}

	@Test
	void shouldSpendReceiptOnceWhenSingleUse() throws Exception {
		ToolCallVerifier withAccount = ToolCallVerifier.builder(this.countersign.baseUrl())
			.credentials("payments-api", "s3cret:with-colon")
			.clock(this.clock)
			.build();
		String receipt = sign(key, claims(c -> c));
		this.countersign.answerUses(Answer.status(201), Answer.problem("replayed"));

		withAccount.verify(receipt, TOOL, ARGUMENTS, Use.SINGLE);
		assertRefused(() -> withAccount.verify(receipt, TOOL, ARGUMENTS, Use.SINGLE), "replayed");

		assertThat(this.countersign.uses()).hasSize(2);
		CountersignStub.Request use = this.countersign.uses().get(0);
		assertThat(use.method()).isEqualTo("POST");
		assertThat(use.path()).isEqualTo("/api/v1/agent-actions/" + this.actionId + "/uses");
		assertThat(use.contentType()).isEqualTo("application/json");
		assertThat(use.accept()).isEqualTo("application/json, application/problem+json");
		assertThat(use.authorization()).isEqualTo("Basic " + Base64.getEncoder()
			.encodeToString("payments-api:s3cret:with-colon".getBytes(StandardCharsets.UTF_8)));
		JsonNode body = new ObjectMapper().readTree(use.body());
		assertThat(body.get("receipt").asText()).isEqualTo(receipt);
		assertThat(body.get("tool").asText()).isEqualTo(TOOL);
		assertThat(body.get("singleUse").isBoolean()).isTrue();
		assertThat(body.get("singleUse").booleanValue()).isTrue();
		assertThat(body.get("arguments")).isEqualTo(new ObjectMapper().readTree(ARGUMENTS));
		assertThat(use.body()).as("arguments exactly as received").contains("\"arguments\":" + ARGUMENTS + ",");
	}

	@Test
	void shouldReportUseAndRefuseRevokedAction() throws Exception {
		String receipt = sign(key, claims(c -> c));
		this.countersign.answerUses(Answer.status(204), Answer.problem("revoked"));

		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.REPORT);
		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.REPORT), "revoked");

		CountersignStub.Request use = this.countersign.uses().get(0);
		assertThat(new ObjectMapper().readTree(use.body()).get("singleUse").booleanValue()).isFalse();
		assertThat(use.authorization()).as("no credentials configured").isNull();
	}

	@Test
	void shouldAcceptUseAnswered200() throws Exception {
		this.countersign.answerUses(new Answer(200, "application/json", "{\"uses\":1}", Duration.ZERO));

		this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.REPORT);
	}

	@Test
	void shouldNotReportOfflineUse() throws Exception {
		this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.OFFLINE);

		assertThat(this.countersign.uses()).isEmpty();
	}

	@Test
	void shouldNotReportUseOfReceiptRefusedLocally() throws Exception {
		String receipt = sign(key, claims(c -> c));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, "{}", Use.SINGLE), "arguments-mismatch");

		assertThat(this.countersign.uses()).isEmpty();
	}

	@Test
	void shouldRefuseAsUnverifiableWhenUsesEndpointFails() throws Exception {
		String receipt = sign(key, claims(c -> c));
		for (Answer answer : new Answer[] { Answer.status(500), Answer.status(401), Answer.status(302),
				new Answer(409, "application/json", "{\"reason\":\"replayed\"}", Duration.ZERO),
				new Answer(409, CountersignStub.PROBLEM_JSON, "{\"reason\":\"Replayed!\"}", Duration.ZERO),
				new Answer(409, CountersignStub.PROBLEM_JSON, "{\"reason\":\"" + "r".repeat(41) + "\"}", Duration.ZERO),
				new Answer(409, CountersignStub.PROBLEM_JSON, "not json", Duration.ZERO), Answer.status(409) }) {
			this.countersign.answerUses(answer);

			assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.SINGLE), "unverifiable");
		}
	}

	@Test
	void shouldTakeReasonFromProblemWithParameters() throws Exception {
		this.countersign.answerUses(new Answer(409, "application/problem+json; charset=utf-8",
				"{\"status\":409,\"reason\":\"expired\"}", Duration.ZERO));

		assertRefused(() -> this.verifier.verify(sign(key, claims(c -> c)), TOOL, ARGUMENTS, Use.SINGLE), "expired");
	}

	@Test
	void shouldRefuseAsUnverifiableWhenCountersignIsUnreachable() throws Exception {
		String receipt = sign(key, claims(c -> c));
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);
		this.countersign.close();

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.REPORT), "unverifiable");

		URI nobody;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			nobody = URI.create("http://127.0.0.1:" + socket.getLocalPort());
		}
		ToolCallVerifier unreachable = ToolCallVerifier.builder(nobody).clock(this.clock).build();
		assertRefused(() -> unreachable.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE), "unverifiable");
	}

	@Test
	void shouldRefuseAsUnverifiableWhenUsesEndpointIsTooSlow() throws Exception {
		ToolCallVerifier impatient = verifier(Duration.ofMillis(300));
		String receipt = sign(key, claims(c -> c));
		impatient.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE);
		this.countersign.answerUses(new Answer(204, null, null, Duration.ofSeconds(3)));
		long started = System.nanoTime();

		assertRefused(() -> impatient.verify(receipt, TOOL, ARGUMENTS, Use.SINGLE), "unverifiable");

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
	}

	@Test
	void shouldRefuseReceiptWithoutRequiredScope() throws Exception {
		String receipt = sign(key, claims(c -> c));
		String unscoped = sign(key, claims(c -> c.claim("scope", null)));
		String emptyScope = sign(key, claims(c -> c.claim("scope", "")));

		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, "payments:admin"),
				"scope-missing");
		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, "payments:read payments:admin"),
				"scope-missing");
		assertRefused(() -> this.verifier.verify(unscoped, TOOL, ARGUMENTS, Use.OFFLINE, "payments:refund"),
				"scope-missing");
		assertRefused(() -> this.verifier.verify(emptyScope, TOOL, ARGUMENTS, Use.OFFLINE, "payments:refund"),
				"scope-missing");
		assertRefused(() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, "payments"), "scope-missing");
	}

	@Test
	void shouldAcceptReceiptWithRequiredScopes() throws Exception {
		String receipt = sign(key, claims(c -> c));

		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, "payments:refund");
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, "payments:read payments:refund");
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, "");
		this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE, null);
	}

	@Test
	void shouldRefuseInvalidBaseUrl() {
		for (String url : new String[] { "countersign.example.com", "ftp://countersign.example.com",
				"https://countersign.example.com/?a=b", "mailto:ops@example.com" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> ToolCallVerifier.builder(URI.create(url)));
		}
	}

	@Test
	void shouldNotPutTheTokenInTheMessage() throws Exception {
		String receipt = sign(key, claims(c -> c.issuer("elsewhere")));

		Refused refused = catchThrowableOfType(Refused.class,
				() -> this.verifier.verify(receipt, TOOL, ARGUMENTS, Use.OFFLINE));

		assertThat(refused.getMessage()).contains(this.receiptId).doesNotContain(receipt.split("\\.")[2]);
	}

	private ToolCallVerifier verifier(Duration timeout) {
		return ToolCallVerifier.builder(this.countersign.baseUrl()).clock(this.clock).timeout(timeout).build();
	}

	private JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> customize) {
		return customize
			.apply(new JWTClaimsSet.Builder().issuer("countersign")
				.subject(this.actionId)
				.jwtID(this.receiptId)
				.issueTime(Date.from(NOW))
				.expirationTime(Date.from(NOW.plus(Duration.ofMinutes(10))))
				.claim("fingerprint", ToolCallVerifier.argumentsHash(TOOL, ARGUMENTS))
				.claim("approvers", List.of("alice", "bob"))
				.claim("policyRule", "two-of:payments-leads")
				.claim("tool", TOOL)
				.claim("agent", "refund-bot")
				.claim("scope", "payments:refund payments:read")
				.claim("requestHash", "sha256:" + "ab".repeat(32))
				.claim("accountId", "acct-1"))
			.build();
	}

	private static String sign(ECKey signingKey, JWTClaimsSet claims) throws Exception {
		return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(RECEIPT_TYPE).keyID(signingKey.getKeyID()).build(),
				new ECDSASigner(signingKey), claims);
	}

	private static String sign(JWSHeader header, JWSSigner signer, JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(header, claims);
		jwt.sign(signer);
		return jwt.serialize();
	}

	private static String base64(String text) {
		return base64(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String base64(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static void assertRefused(ThrowingCall call, String reason) {
		Refused refused = catchThrowableOfType(Refused.class, call::run);
		assertThat(refused).as("refused " + reason).isNotNull();
		assertThat(refused.reason()).as(refused.getMessage()).isEqualTo(reason);
	}

	@FunctionalInterface
	interface ThrowingCall {

		void run() throws Exception;

	}

}
