/**
 * Staged actions: exactly what would change, on which target, and the fingerprint a human
 * approves. The fingerprint is the SHA-256 of the canonical JSON of type, target and parameters,
 * so any change to the action after approval yields a different fingerprint.
 */
package io.countersign.action;
