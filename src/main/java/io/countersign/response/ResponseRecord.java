package io.countersign.response;

/** The stored facts about a response that the gate and the delegates rely on. */
public record ResponseRecord(String id, String playbook, ResponseStatus status, String identity, String credential,
		String requestedBy, String stagedAction, String actionFingerprint, String processInstanceId, String severity,
		String environment, String summary) {
}
