/**
 * Targets: the systems that hold identities and that approved actions change. Each identity names one
 * ({@code inventory}, Countersign's own tables, when it names none); each target has one connector, and every action
 * on an identity goes to its target's connector. Configuration: {@code countersign.targets.<name>.*}, so also
 * environment variables such as {@code COUNTERSIGN_TARGETS_KC_URL}.
 */
package io.countersign.target;
