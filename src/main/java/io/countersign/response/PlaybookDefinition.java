package io.countersign.response;

import io.countersign.inventory.Identity;

/**
 * A playbook integrators can start by name. Each playbook package declares one as a bean, so
 * adding a playbook never touches the API.
 *
 * @param startCheck refuses detections this playbook cannot handle before anything is stored; null when any
 * detection that passes the shared checks will do
 */
public record PlaybookDefinition(String name, String processKey, boolean requiresCredential, StartCheck startCheck) {

	public PlaybookDefinition(String name, String processKey, boolean requiresCredential) {
		this(name, processKey, requiresCredential, null);
	}

	/**
	 * A playbook's own precondition on a detection, checked after the identity and credential are known to exist and
	 * before the detection starts or joins a response.
	 */
	@FunctionalInterface
	public interface StartCheck {

		/**
		 * @throws io.countersign.api.ApiException with status 422 and the name of the offending field, when the
		 * playbook refuses the detection
		 */
		void check(StartResponseRequest request, Identity identity);

	}

}
