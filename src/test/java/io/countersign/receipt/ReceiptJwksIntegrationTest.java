package io.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.countersign.action.StagedAction;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The published keys over HTTP, used the way a remote tool server would: plain Nimbus, no Countersign code. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
				"camunda.bpm.generate-unique-process-engine-name=true",
				"camunda.bpm.generate-unique-process-application-name=true",
				"camunda.bpm.job-execution.enabled=false" })
class ReceiptJwksIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Receipts receipts;

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void shouldPublishOnlyPublicKeysToAnonymousCallers() throws Exception {
		HttpResponse<String> response = get("application/jwk-set+json");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/jwk-set+json"));
		assertThat(response.headers().allValues("Cache-Control")).containsExactly("max-age=300");
		JWKSet published = JWKSet.parse(response.body());
		assertThat(published.getKeys()).isNotEmpty().allSatisfy(key -> {
			assertThat(key.isPrivate()).isFalse();
			assertThat(key.getKeyID()).isNotBlank();
			assertThat(key.getKeyUse()).hasToString("sig");
			assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
			assertThat(key.toJSONObject()).containsEntry("kty", "EC").containsEntry("crv", "P-256");
		});
		assertThat(response.body()).doesNotContain("\"d\"");
	}

	@Test
	void shouldAnswerCallersAskingForPlainJson() throws Exception {
		HttpResponse<String> response = get("application/json");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JWKSet.parse(response.body()).getKeys()).isNotEmpty();
	}

	@Test
	void shouldLetARemoteVerifierCheckAReceiptWithThePublishedKeys() throws Exception {
		String fingerprint = StagedAction.sha256("delete production database");
		IssuedReceipt issued = this.receipts.issue(new ReceiptRequest("agent-action-42", fingerprint,
				List.of("erin"), "one-of:agent-reviewers", null, Map.of("tool", "db.drop")));
		JWKSet published = JWKSet.parse(get("application/json").body());

		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor
			.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("countersign-receipt+jwt")));
		processor
			.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(published)));
		processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
				new JWTClaimsSet.Builder().issuer("countersign").subject("agent-action-42").build(),
				Set.of("jti", "iat", "exp", "fingerprint", "approvers", "policyRule")));
		JWTClaimsSet claims = processor.process(issued.token(), null);

		assertThat(claims.getStringClaim("fingerprint")).isEqualTo(fingerprint);
		assertThat(claims.getStringListClaim("approvers")).containsExactly("erin");
		assertThat(claims.getStringClaim("tool")).isEqualTo("db.drop");
		assertThat(published.getKeyByKeyId(issued.keyId())).extracting(JWK::isPrivate).isEqualTo(false);
	}

	HttpResponse<String> get(String accept) throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/.well-known/jwks.json"))
			.header("Accept", accept)
			.GET()
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
