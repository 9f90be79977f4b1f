package io.countersign.connector.keycloak;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A client secret read from or issued by Keycloak. A type of its own so that it cannot be logged by accident:
 * {@link #toString()} hides the value, and {@link #value()} is the one place where it is handed over, to the secret
 * sink or to a token request.
 *
 * @param value the secret itself
 */
record ClientSecret(String value) {

	ClientSecret {
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException("A client secret cannot be empty");
		}
	}

	/** Compares in constant time, so that a verifier does not tell an attacker how much of a guess was right. */
	boolean matches(String candidate) {
		return candidate != null && MessageDigest.isEqual(this.value.getBytes(StandardCharsets.UTF_8),
				candidate.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public String toString() {
		return "ClientSecret[***]";
	}

}
