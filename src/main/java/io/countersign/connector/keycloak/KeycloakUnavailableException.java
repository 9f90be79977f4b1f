package io.countersign.connector.keycloak;

/**
 * Keycloak could not be reached, did not answer in time, or failed on its side (5xx, or 408/429, which say "not now"
 * rather than "no"). Deliberately not a {@link io.countersign.action.ConnectorException}: nobody said no, so the call
 * may be tried again, and an engine job that throws it is retried and ends in an incident when retries run out.
 *
 * <p>The message names the operation, the target and the cause, never a secret.
 */
public class KeycloakUnavailableException extends RuntimeException {

	KeycloakUnavailableException(String message) {
		super(message);
	}

	KeycloakUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
