package io.countersign.target;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.countersign.action.ActionConnector;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityUpsertRequest;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.KnownTargets;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Every target and its connector. An action on an identity goes to the connector of the identity's target; a target
 * that is not configured, or an identity that is gone, refuses the action (fail closed). Checked at startup: a target
 * of an unknown type, or one that misses a setting its type needs, stops the start.
 */
@Component
public class Targets implements KnownTargets {

	private static final Pattern NAME = Pattern.compile(IdentityUpsertRequest.TARGET_PATTERN);

	private final Map<String, ActionConnector> byName = new LinkedHashMap<>();

	private final Map<String, TargetType> types = new LinkedHashMap<>();

	/** The connectors that are beans of their own (inventory, webhook, model-change), by their names. */
	private final Map<String, ActionConnector> builtIn = new LinkedHashMap<>();

	private final ObjectProvider<Inventory> inventory;

	Targets(TargetsProperties properties, List<ActionConnector> connectors, List<TargetConnectorFactory> factories,
			ObjectProvider<Inventory> inventory) {
		this.inventory = inventory;
		Map<String, ActionConnector> beans = connectors.stream()
			.collect(Collectors.toMap(ActionConnector::name, Function.identity()));
		Map<TargetType, TargetConnectorFactory> byType = factories.stream()
			.collect(Collectors.toMap(TargetConnectorFactory::type, Function.identity()));
		this.builtIn.putAll(beans);
		this.byName.put(Identity.DEFAULT_TARGET, required(beans, Identity.DEFAULT_TARGET));
		this.types.put(Identity.DEFAULT_TARGET, TargetType.INVENTORY);
		properties.targets().forEach((name, config) -> {
			String setting = "countersign.targets." + name;
			if (!NAME.matcher(name).matches() || name.length() > 64) {
				throw new IllegalStateException(setting + ": a target's name is lower-case words joined by hyphens, at "
						+ "most 64 characters");
			}
			if (name.equals(Identity.DEFAULT_TARGET) || beans.containsKey(name) && !name.equals("webhook")) {
				throw new IllegalStateException(setting + ": '" + name + "' is the name of a built-in connector");
			}
			if (config == null || config.type() == null) {
				throw new IllegalStateException(setting + ".type is required: one of inventory, keycloak, postgresql, "
						+ "webhook");
			}
			ActionConnector connector = switch (config.type()) {
				case INVENTORY -> required(beans, Identity.DEFAULT_TARGET);
				case WEBHOOK -> required(beans, "webhook");
				default -> Optional.ofNullable(byType.get(config.type()))
					.orElseThrow(() -> new IllegalStateException(setting + ".type is " + config.type().json()
							+ ", but no connector for it is installed"))
					.connector(name, config);
			};
			this.byName.put(name, connector);
			this.types.put(name, config.type());
		});
	}

	private static ActionConnector required(Map<String, ActionConnector> beans, String name) {
		ActionConnector connector = beans.get(name);
		if (connector == null) {
			throw new IllegalStateException("the built-in connector '" + name + "' is missing");
		}
		return connector;
	}

	@Override
	public boolean exists(String name) {
		return this.byName.containsKey(name);
	}

	@Override
	public List<String> names() {
		return this.byName.keySet().stream().sorted().toList();
	}

	public Optional<TargetType> type(String name) {
		return Optional.ofNullable(this.types.get(name));
	}

	/**
	 * The connector that carries out an action: for a model change the model-change connector, for an action on an
	 * identity the connector of the identity's target.
	 * @throws ConnectorException when the identity or its target is gone: nothing may run
	 */
	public ActionConnector forAction(StagedAction action) {
		if (ActionTypes.MODEL_DEPLOY.equals(action.type())) {
			return connectorNamed(ActionTypes.MODEL_CONNECTOR);
		}
		String identityId = action.parameters().path("identity").asText(null);
		if (identityId == null) {
			throw new ConnectorException(action.type() + " names no identity, so it has no target");
		}
		Identity identity = this.inventory.getObject()
			.find(identityId)
			.orElseThrow(() -> new ConnectorException("identity '" + identityId + "' is not in the inventory"));
		ActionConnector connector = this.byName.get(identity.target());
		if (connector == null) {
			throw new ConnectorException("identity '" + identityId + "' is on target '" + identity.target()
					+ "', which is not configured; configured targets: " + names());
		}
		return connector;
	}

	/**
	 * The connector an execution recorded, for apply, verify and undo.
	 * @throws IllegalStateException when it is not configured any more: a technical fault an operator must fix
	 */
	public ActionConnector named(String name) {
		ActionConnector connector = this.byName.getOrDefault(name, this.builtIn.get(name));
		if (connector == null) {
			throw new IllegalStateException("No connector '" + name + "'; configured targets: " + names());
		}
		return connector;
	}

	private ActionConnector connectorNamed(String name) {
		ActionConnector connector = this.builtIn.get(name);
		if (connector == null) {
			throw new IllegalStateException("the built-in connector '" + name + "' is missing");
		}
		return connector;
	}

}
