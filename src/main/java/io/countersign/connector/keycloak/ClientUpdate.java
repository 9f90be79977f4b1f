package io.countersign.connector.keycloak;

import java.time.Instant;

/**
 * What an update of a client's settings left behind.
 *
 * @param notBefore the client's not-before time after the update: tokens issued to it before this instant are
 * revoked; {@link Instant#EPOCH} when none was ever set
 * @param secretReplaced whether Keycloak generated a new secret as a side effect. It does so when a rotation policy
 * of the realm applies to the client and the client's secret has expired under it: any update of the client then
 * rotates the secret, keeps the expired one as the rotated secret for the policy's window, and hands the new one to
 * nobody. The client then works only until that window ends, unless its secret is regenerated on purpose.
 */
record ClientUpdate(Instant notBefore, boolean secretReplaced) {
}
