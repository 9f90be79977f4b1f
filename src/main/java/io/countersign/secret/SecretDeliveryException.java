package io.countersign.secret;

/** The sink could not take the material. The message never contains it. */
public class SecretDeliveryException extends RuntimeException {

	public SecretDeliveryException(String message, Throwable cause) {
		super(message, cause);
	}

}
