package io.countersign.target;

import io.countersign.action.ActionConnector;

/**
 * Makes the connector of one configured target of a type, e.g. one Keycloak realm. The connector's
 * {@link ActionConnector#name()} must be the target's name: executions record it, and undo finds the connector by it.
 */
public interface TargetConnectorFactory {

	TargetType type();

	/**
	 * @throws IllegalStateException naming the setting, when the target's configuration is not usable
	 */
	ActionConnector connector(String name, TargetConfig config);

}
