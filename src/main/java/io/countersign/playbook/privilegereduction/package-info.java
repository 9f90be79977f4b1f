/**
 * Playbook {@code privilege-reduction}: a service account holds more than it uses. Risk: a privilege the evidence
 * missed (a monthly job) breaks an application, so access owners review the impact, may narrow the proposal, and a
 * failed apply restores the previous grants.
 */
package io.countersign.playbook.privilegereduction;
