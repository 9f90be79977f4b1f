/**
 * Who may call Countersign and what the engine lets them see.
 *
 * <p>Users, groups and passwords live in the Camunda identity service, so the webapps, the engine REST API and our
 * own {@code /api/v1} share one set of accounts. Spring Security authenticates {@code /api/**},
 * {@code /engine-rest/**} and {@code /actuator/**} with HTTP Basic and decides {@code /api/**} by group
 * ({@link io.countersign.security.Groups}); for {@code /engine-rest/**} the engine's own authorizations decide. The
 * Camunda webapps keep their own session login and CSRF protection.
 */
package io.countersign.security;
