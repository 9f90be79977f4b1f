/**
 * The {@code webhook} action connector: each phase of an approved action (stage, apply, verify, rollback) is one
 * signed JSON POST to the URL configured for the action's type, so a team can enforce an action in a system
 * Countersign has no connector for. The receiver checks the HMAC signature and the timestamp, and treats the
 * {@code Idempotency-Key} header as the identity of the call: a retried call carries the same key and must change
 * nothing twice. A receiver that wants more than a shared secret verifies the approval receipt in the body against
 * {@code /.well-known/jwks.json}.
 */
package io.countersign.connector.webhook;
