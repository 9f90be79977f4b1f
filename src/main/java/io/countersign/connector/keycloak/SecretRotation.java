package io.countersign.connector.keycloak;

import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of regenerating a client's secret.
 *
 * @param secret the new secret, valid from now on
 * @param previousValidUntil when the secret it replaced stops working: empty when it stopped at once (no rotation
 * policy of the realm applies to the client, or the server does not have the {@code client-secret-rotation} feature),
 * otherwise the end of the policy's window, until which both secrets work unless
 * {@link KeycloakAdmin#endRotatedSecret(String)} ends the old one earlier
 */
record SecretRotation(ClientSecret secret, Optional<Instant> previousValidUntil) {

	boolean previousKept() {
		return this.previousValidUntil.isPresent();
	}

}
