package io.countersign.action;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/** Routes each action type to its configured connector; a route to a connector that does not exist stops startup. */
@Component
public class Connectors {

	private final Map<String, ActionConnector> byName;

	private final ConnectorProperties properties;

	Connectors(List<ActionConnector> connectors, ConnectorProperties properties) {
		this.byName = connectors.stream().collect(Collectors.toMap(ActionConnector::name, Function.identity()));
		this.properties = properties;
		properties.routes().forEach((type, name) -> {
			if (ActionTypes.MODEL_DEPLOY.equals(type)) {
				throw new IllegalStateException("countersign.connectors.routes." + type + " is not configurable: only the "
						+ ActionTypes.MODEL_CONNECTOR + " connector deploys models");
			}
			if (!this.byName.containsKey(name)) {
				throw new IllegalStateException("countersign.connectors.routes." + type + " names connector '" + name
						+ "', but only " + this.byName.keySet().stream().sorted().toList() + " exist");
			}
		});
	}

	/** The connector for an action type: its route, or the inventory. */
	public ActionConnector forType(String actionType) {
		if (ActionTypes.MODEL_DEPLOY.equals(actionType)) {
			return named(ActionTypes.MODEL_CONNECTOR);
		}
		String name = this.properties.routes().getOrDefault(actionType, ConnectorProperties.DEFAULT_CONNECTOR);
		ActionConnector connector = this.byName.get(name);
		if (connector == null) {
			throw new IllegalStateException("No connector '" + name + "' for action type " + actionType);
		}
		return connector;
	}

	public ActionConnector named(String name) {
		ActionConnector connector = this.byName.get(name);
		if (connector == null) {
			throw new IllegalStateException("No connector '" + name + "'");
		}
		return connector;
	}

}
