package io.countersign.response;

/**
 * A playbook integrators can start by name. Each playbook package declares one as a bean, so
 * adding a playbook never touches the API.
 */
public record PlaybookDefinition(String name, String processKey, boolean requiresCredential) {
}
