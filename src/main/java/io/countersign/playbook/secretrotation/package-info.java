/**
 * Playbook {@code secret-rotation}: a credential is exposed or too long-lived. Risk: rotating breaks every consumer
 * that still holds the old secret, so the blast radius (the consumers) is shown to a {@code platform-owners}
 * approver. The rotation ({@code credential.rotate}) is a guarded action like every other: the connector of the
 * identity's target makes the new material, hands it to the secret sink and records only its fingerprint, and a
 * failed apply, delivery or verification makes the previous version current again.
 */
package io.countersign.playbook.secretrotation;
