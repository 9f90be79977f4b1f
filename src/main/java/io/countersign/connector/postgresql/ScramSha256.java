package io.countersign.connector.postgresql;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PostgreSQL's SCRAM-SHA-256 password verifier ({@code rolpassword} in {@code pg_authid}), computed and checked on
 * this side so that a password never has to travel to the server (RFC 5802 section 3, RFC 7677):
 *
 * <pre>
 * SaltedPassword = Hi(password, salt, iterations)      (PBKDF2 with HMAC-SHA-256)
 * StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
 * ServerKey      = HMAC(SaltedPassword, "Server Key")
 * verifier       = SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt b64&gt;$&lt;StoredKey b64&gt;:&lt;ServerKey b64&gt;
 * </pre>
 *
 * <p>
 * PostgreSQL runs a password through SASLprep before hashing it. SASLprep leaves ASCII unchanged, and the material
 * we generate is base64url, so the server and this class hash the same bytes. Non-ASCII passwords are refused here
 * rather than hashed differently from the server.
 */
final class ScramSha256 {

	/** PostgreSQL's own default ({@code scram_iterations} before version 16, and its default since). */
	static final int ITERATIONS = 4096;

	/** PostgreSQL's {@code SCRAM_DEFAULT_SALT_LEN}. */
	static final int SALT_BYTES = 16;

	private static final String PREFIX = "SCRAM-SHA-256$";

	private static final String B64 = "[A-Za-z0-9+/]+={0,2}";

	private static final Pattern VERIFIER = Pattern
		.compile("SCRAM-SHA-256\\$([1-9][0-9]{0,9}):(" + B64 + ")\\$(" + B64 + "):(" + B64 + ")");

	/** Far beyond any real setting; an absurd count in a tampered verifier must not pin a CPU. */
	private static final int MAX_ITERATIONS = 10_000_000;

	private static final String HMAC = "HmacSHA256";

	private ScramSha256() {
	}

	/** A new verifier for {@code password} with a fresh random salt. */
	static String verifier(String password, SecureRandom random) {
		byte[] salt = new byte[SALT_BYTES];
		random.nextBytes(salt);
		return verifier(password, salt, ITERATIONS);
	}

	static String verifier(String password, byte[] salt, int iterations) {
		Keys keys = keys(password, salt, iterations);
		Base64.Encoder b64 = Base64.getEncoder();
		return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(keys.storedKey()) + ":"
				+ b64.encodeToString(keys.serverKey());
	}

	/** Whether {@code text} has exactly the shape of a SCRAM-SHA-256 verifier (and so is safe inside a literal). */
	static boolean isVerifier(String text) {
		return text != null && VERIFIER.matcher(text).matches();
	}

	/**
	 * Whether {@code password} produces {@code verifier}: StoredKey and ServerKey recomputed with the verifier's own
	 * salt and iteration count, compared in constant time. False for anything that is not a SCRAM-SHA-256 verifier.
	 */
	static boolean matches(String password, String verifier) {
		if (verifier == null) {
			return false;
		}
		Matcher m = VERIFIER.matcher(verifier);
		if (!m.matches()) {
			return false;
		}
		long iterations = Long.parseLong(m.group(1));
		if (iterations > MAX_ITERATIONS) {
			return false;
		}
		Base64.Decoder b64 = Base64.getDecoder();
		byte[] salt;
		byte[] storedKey;
		byte[] serverKey;
		try {
			salt = b64.decode(m.group(2));
			storedKey = b64.decode(m.group(3));
			serverKey = b64.decode(m.group(4));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		Keys keys = keys(password, salt, (int) iterations);
		// Both keys, so a verifier whose ServerKey was swapped does not pass as the password's.
		return MessageDigest.isEqual(keys.storedKey(), storedKey) & MessageDigest.isEqual(keys.serverKey(), serverKey);
	}

	static Keys keys(String password, byte[] salt, int iterations) {
		if (iterations < 1) {
			throw new IllegalArgumentException("iterations must be positive");
		}
		byte[] salted = hi(asciiBytes(password), salt, iterations);
		byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
		return new Keys(clientKey, sha256(clientKey), hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII)));
	}

	/** RFC 5802 Hi(): PBKDF2 with HMAC-SHA-256 and a single output block. */
	private static byte[] hi(byte[] password, byte[] salt, int iterations) {
		try {
			Mac mac = Mac.getInstance(HMAC);
			mac.init(new SecretKeySpec(password, HMAC));
			mac.update(salt);
			byte[] u = mac.doFinal(new byte[] { 0, 0, 0, 1 });
			byte[] result = u.clone();
			for (int i = 1; i < iterations; i++) {
				u = mac.doFinal(u);
				for (int j = 0; j < result.length; j++) {
					result[j] ^= u[j];
				}
			}
			return result;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA-256 is not available", ex);
		}
	}

	static byte[] hmac(byte[] key, byte[] data) {
		try {
			Mac mac = Mac.getInstance(HMAC);
			mac.init(new SecretKeySpec(key, HMAC));
			return mac.doFinal(data);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA-256 is not available", ex);
		}
	}

	static byte[] sha256(byte[] data) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(data);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	private static byte[] asciiBytes(String password) {
		if (password == null || password.isEmpty()) {
			// PostgreSQL treats an empty password as none at all.
			throw new IllegalArgumentException("a password must not be empty");
		}
		for (int i = 0; i < password.length(); i++) {
			if (password.charAt(i) > 0x7e || password.charAt(i) < 0x20) {
				throw new IllegalArgumentException(
						"only printable ASCII passwords are supported (PostgreSQL would SASLprep anything else)");
			}
		}
		return password.getBytes(StandardCharsets.US_ASCII);
	}

	/** The intermediate keys, exposed so that a test can check them against RFC 7677's example exchange. */
	record Keys(byte[] clientKey, byte[] storedKey, byte[] serverKey) {
	}

}
