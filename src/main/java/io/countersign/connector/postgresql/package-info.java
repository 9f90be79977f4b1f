/**
 * PostgreSQL login roles as a target: {@link io.countersign.connector.postgresql.PostgresConnector} carries out
 * approved actions on them under the target change journal (mapping and actions in its javadoc). {@link
 * io.countersign.connector.postgresql.PostgresRoles} reads a role (login, expiry, memberships, a fingerprint of its
 * password verifier), rotates its password, disables and enables it (ending its sessions) and revokes and grants
 * its role memberships, each over a short-lived connection of its own to the configured target, never over
 * Countersign's own database.
 *
 * <p>
 * Two rules hold for every operation. A role name reaches SQL only after matching a strict pattern, and then
 * double-quoted. A password never reaches the server: it is turned into a SCRAM-SHA-256 verifier here and only the
 * verifier is sent, so not even {@code log_statement = all} writes it anywhere.
 */
package io.countersign.connector.postgresql;
