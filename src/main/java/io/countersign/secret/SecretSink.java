package io.countersign.secret;

import java.util.Optional;

/**
 * Hands new secret material to the consumers of a credential, and nowhere else. Must be safe to call again for the
 * same credential (a retried rotation delivers again: the last delivery wins), and must not write the material to a
 * log or put it in an exception message.
 */
public interface SecretSink {

	/**
	 * @throws SecretDeliveryException when the material could not be delivered; the rotation is then rolled back, so
	 * consumers keep a secret that works
	 */
	void deliver(String target, String credentialId, SecretMaterial material);

	/**
	 * What consumers of the credential would read now, as a fingerprint ({@link SecretMaterial#fingerprint()}), so a
	 * rotation can verify that the material it recorded is the material consumers got.
	 * @return empty when this sink cannot read back what it delivered (a webhook)
	 * @throws SecretDeliveryException when the sink can read back but holds nothing usable for the credential
	 */
	default Optional<String> deliveredFingerprint(String target, String credentialId) {
		return Optional.empty();
	}

}
