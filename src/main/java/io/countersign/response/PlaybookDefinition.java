package io.countersign.response;

import io.countersign.inventory.Identity;

/**
 * A playbook integrators can start by name. Each playbook package declares one as a bean, so
 * adding a playbook never touches the API.
 *
 * @param startCheck refuses a detection the playbook cannot act on, before anything is stored; {@code null} for none
 */
public record PlaybookDefinition(String name, String processKey, boolean requiresCredential, StartCheck startCheck) {

	public PlaybookDefinition(String name, String processKey, boolean requiresCredential) {
		this(name, processKey, requiresCredential, null);
	}

	/** Throws an {@link io.countersign.api.ApiException} (422, naming the field) for a detection it refuses. */
	@FunctionalInterface
	public interface StartCheck {

		void check(StartResponseRequest request, Identity identity);

	}

}
