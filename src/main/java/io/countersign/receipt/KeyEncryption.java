package io.countersign.receipt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals private signing keys for the database: {@code v1:aesgcm:<iv>:<ciphertext>} (AES-256-GCM under the SHA-256
 * of the configured secret, a random 12-byte IV, base64) when a secret is configured, {@code v1:plain:<pkcs8>}
 * otherwise.
 */
final class KeyEncryption {

	static final String PLAIN_PREFIX = "v1:plain:";

	static final String AES_GCM_PREFIX = "v1:aesgcm:";

	private static final int IV_BYTES = 12;

	private static final int TAG_BITS = 128;

	private static final SecureRandom RANDOM = new SecureRandom();

	/** Null without a secret. */
	private final SecretKeySpec key;

	KeyEncryption(String secret) {
		this.key = (secret == null || secret.isEmpty()) ? null : new SecretKeySpec(sha256(secret), "AES");
	}

	boolean encrypts() {
		return this.key != null;
	}

	static boolean isEncrypted(String stored) {
		return stored.startsWith(AES_GCM_PREFIX);
	}

	String seal(byte[] pkcs8) {
		Base64.Encoder base64 = Base64.getEncoder();
		if (this.key == null) {
			return PLAIN_PREFIX + base64.encodeToString(pkcs8);
		}
		byte[] iv = new byte[IV_BYTES];
		RANDOM.nextBytes(iv);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, iv));
			return AES_GCM_PREFIX + base64.encodeToString(iv) + ":" + base64.encodeToString(cipher.doFinal(pkcs8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-256-GCM is required by every Java platform", ex);
		}
	}

	/**
	 * @throws IllegalStateException when the key is encrypted and no secret, or another secret, is configured. The
	 * message names the key and the setting, never the secret.
	 */
	byte[] open(String kid, String stored) {
		Base64.Decoder base64 = Base64.getDecoder();
		if (stored.startsWith(PLAIN_PREFIX)) {
			return base64.decode(stored.substring(PLAIN_PREFIX.length()));
		}
		if (!isEncrypted(stored)) {
			throw new IllegalStateException("Receipt signing key " + kid + " is stored in an unknown format");
		}
		if (this.key == null) {
			throw new IllegalStateException("Receipt signing key " + kid + " is stored encrypted, but "
					+ ReceiptProperties.SECRET_SETTING + " is not set. Set the secret it was encrypted with.");
		}
		String[] parts = stored.substring(AES_GCM_PREFIX.length()).split(":", -1);
		if (parts.length != 2) {
			throw new IllegalStateException("Receipt signing key " + kid + " is stored in an unknown format");
		}
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, base64.decode(parts[0])));
			return cipher.doFinal(base64.decode(parts[1]));
		}
		catch (AEADBadTagException ex) {
			throw new IllegalStateException("Receipt signing key " + kid + " does not decrypt with "
					+ ReceiptProperties.SECRET_SETTING
					+ ": the secret differs from the one it was encrypted with, or the stored key was altered", ex);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new IllegalStateException("Receipt signing key " + kid + " cannot be decrypted", ex);
		}
	}

	private static byte[] sha256(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

}
