/**
 * Playbook {@code secret-rotation}: a credential is exposed or too long-lived. Risk: rotating
 * breaks every consumer that still holds the old secret, so the blast radius (the consumers)
 * is shown to a {@code platform-owners} approver, and the old version is kept so a failed
 * rotation can be rolled back to it.
 */
package io.countersign.playbook.secretrotation;
