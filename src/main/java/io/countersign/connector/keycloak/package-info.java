/**
 * Keycloak as a target system: {@link io.countersign.connector.keycloak.KeycloakAdmin} speaks Keycloak's admin REST
 * API for one configured {@link io.countersign.connector.keycloak.KeycloakTarget} (a realm and the credentials of an
 * administrator allowed to manage its clients and users). The non-human identities there are confidential clients
 * with a service account: their secret is the credential, their enabled flag and not-before time decide whether a
 * token can be had and used, and the realm and client roles of their service-account user are their privileges.
 *
 * <p>Operations name a client by its {@code clientId}, never by Keycloak's internal id, because the inventory keeps the
 * {@code clientId} as the credential's native id. Secret material passes through only as
 * {@link io.countersign.connector.keycloak.ClientSecret}, whose {@code toString} hides it, and never appears in a log
 * line or an exception message.
 */
package io.countersign.connector.keycloak;
