package io.countersign.connector.postgresql;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramSha256Test {

	// RFC 7677 section 3: user "user", password "pencil".
	private static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";

	private static final String AUTH_MESSAGE = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
			+ "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
			+ "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

	private static final String CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

	private static final String SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

	@Test
	void shouldReproduceTheRfc7677ExchangeWhenDerivingKeysForPencil() {
		ScramSha256.Keys keys = ScramSha256.keys("pencil", Base64.getDecoder().decode(SALT), 4096);
		byte[] authMessage = AUTH_MESSAGE.getBytes(StandardCharsets.US_ASCII);

		// The server checks a login with StoredKey and ServerKey alone, so matching the RFC's proof and signature
		// shows that a verifier built from them is what a real SCRAM exchange expects.
		byte[] clientSignature = ScramSha256.hmac(keys.storedKey(), authMessage);
		byte[] proof = new byte[clientSignature.length];
		for (int i = 0; i < proof.length; i++) {
			proof[i] = (byte) (keys.clientKey()[i] ^ clientSignature[i]);
		}
		assertThat(Base64.getEncoder().encodeToString(proof)).isEqualTo(CLIENT_PROOF);
		assertThat(Base64.getEncoder().encodeToString(ScramSha256.hmac(keys.serverKey(), authMessage)))
			.isEqualTo(SERVER_SIGNATURE);
	}

	@Test
	void shouldWritePostgresVerifierFormatWhenGivenSaltAndIterations() {
		String verifier = ScramSha256.verifier("pencil", Base64.getDecoder().decode(SALT), 4096);

		assertThat(verifier).startsWith("SCRAM-SHA-256$4096:" + SALT + "$");
		assertThat(ScramSha256.isVerifier(verifier)).isTrue();
		assertThat(ScramSha256.matches("pencil", verifier)).isTrue();
		assertThat(ScramSha256.matches("pencil2", verifier)).isFalse();
	}

	@Test
	void shouldUseAFreshSaltWhenHashingTheSamePasswordTwice() {
		SecureRandom random = new SecureRandom();
		String first = ScramSha256.verifier("same-password", random);
		String second = ScramSha256.verifier("same-password", random);

		assertThat(first).isNotEqualTo(second);
		assertThat(ScramSha256.matches("same-password", first)).isTrue();
		assertThat(ScramSha256.matches("same-password", second)).isTrue();
	}

	@Test
	void shouldNotMatchWhenTheVerifierIsNotScram() {
		assertThat(ScramSha256.matches("pencil", null)).isFalse();
		assertThat(ScramSha256.matches("pencil", "md5" + "0".repeat(32))).isFalse();
		assertThat(ScramSha256.matches("pencil", "pencil")).isFalse();
		assertThat(ScramSha256.matches("pencil", "SCRAM-SHA-256$99999999999:AAAA$AAAA:AAAA")).isFalse();
	}

	@Test
	void shouldNotMatchWhenOnlyTheStoredKeyFits() {
		String verifier = ScramSha256.verifier("pencil", Base64.getDecoder().decode(SALT), 4096);
		String otherServerKey = ScramSha256.verifier("other", Base64.getDecoder().decode(SALT), 4096)
			.substring(verifier.lastIndexOf(':'));

		assertThat(ScramSha256.matches("pencil", verifier.substring(0, verifier.lastIndexOf(':')) + otherServerKey))
			.isFalse();
	}

	@Test
	void shouldRefuseWhenThePasswordIsEmptyOrNotAscii() {
		SecureRandom random = new SecureRandom();
		assertThatThrownBy(() -> ScramSha256.verifier("", random)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> ScramSha256.verifier("pässword", random))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
