package io.countersign.connector.keycloak;

import io.countersign.action.ConnectorException;

/**
 * Keycloak answered and said no (a 4xx other than 408/429, or a redirect, which is never followed): wrong admin
 * credentials, missing admin roles, an unknown realm, client or role, an invalid change. A
 * {@link ConnectorException}, so a playbook treats it as the target refusing the action rather than retrying it.
 *
 * <p>The message names the operation, the target, the status and Keycloak's error code or text, never a secret: the
 * secrets this client knows are blanked out of anything Keycloak sent back, in case a future version echoes input.
 */
public class KeycloakRefusedException extends ConnectorException {

	private final int status;

	KeycloakRefusedException(int status, String message) {
		super(message);
		this.status = status;
	}

	/** The HTTP status Keycloak answered with. */
	public int status() {
		return this.status;
	}

}
