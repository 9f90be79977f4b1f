package io.countersign.secret;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import io.countersign.action.StagedAction;

/**
 * New secret material, held only as long as it takes to set it on the target and hand it to the sink. It prints as
 * {@code (secret)}, so a log line, an exception message or a JSON answer that reaches it by mistake shows nothing.
 */
public final class SecretMaterial {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final char[] value;

	private SecretMaterial(char[] value) {
		this.value = value;
	}

	/** 32 random bytes, base64url without padding: 43 characters a password field and a client secret both take. */
	public static SecretMaterial generate() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return new SecretMaterial(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray());
	}

	/** Material a target generated (e.g. a Keycloak client secret it regenerated). */
	public static SecretMaterial of(String value) {
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException("secret material is empty");
		}
		return new SecretMaterial(value.toCharArray());
	}

	/** The material itself, for the target and the sink only. */
	public String reveal() {
		return new String(this.value);
	}

	public byte[] bytes() {
		return reveal().getBytes(StandardCharsets.UTF_8);
	}

	/** What Countersign keeps: {@code sha256:} of the material. */
	public String fingerprint() {
		return StagedAction.sha256(reveal());
	}

	/** Overwrites the material in memory once it has been delivered. */
	public void destroy() {
		Arrays.fill(this.value, '\0');
	}

	@Override
	public String toString() {
		return "(secret)";
	}

}
