package io.countersign.secret;

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

}
