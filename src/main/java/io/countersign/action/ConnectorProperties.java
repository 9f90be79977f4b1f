package io.countersign.action;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which connector carries out each action type, for example {@code countersign.connectors.routes.[workload.isolate]:
 * webhook}. Types without a route go to the built-in {@code inventory} connector.
 */
@ConfigurationProperties("countersign.connectors")
public record ConnectorProperties(Map<String, String> routes) {

	public static final String DEFAULT_CONNECTOR = "inventory";

	public ConnectorProperties {
		routes = routes == null ? Map.of() : Map.copyOf(routes);
	}

}
