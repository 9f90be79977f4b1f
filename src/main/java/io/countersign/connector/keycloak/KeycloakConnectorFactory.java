package io.countersign.connector.keycloak;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.ActionConnector;
import io.countersign.inventory.Inventory;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.secret.SecretSink;
import io.countersign.target.TargetChanges;
import io.countersign.target.TargetConfig;
import io.countersign.target.TargetConnectorFactory;
import io.countersign.target.TargetType;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/** One {@link KeycloakConnector} per {@code countersign.targets.<name>.type=keycloak}. */
@Component
class KeycloakConnectorFactory implements TargetConnectorFactory {

	private final TargetChanges changes;

	private final ReceiptVerifier receipts;

	private final SecretSink sink;

	// Lazily: the inventory asks the targets which names exist, and the targets are built from this factory.
	private final ObjectProvider<Inventory> inventory;

	private final PlatformTransactionManager transactionManager;

	private final ObjectMapper json;

	private final Clock clock;

	KeycloakConnectorFactory(TargetChanges changes, ReceiptVerifier receipts, SecretSink sink,
			ObjectProvider<Inventory> inventory, PlatformTransactionManager transactionManager, ObjectMapper json,
			Clock clock) {
		this.changes = changes;
		this.receipts = receipts;
		this.sink = sink;
		this.inventory = inventory;
		this.transactionManager = transactionManager;
		this.json = json;
		this.clock = clock;
	}

	@Override
	public TargetType type() {
		return TargetType.KEYCLOAK;
	}

	@Override
	public ActionConnector connector(String name, TargetConfig config) {
		KeycloakTarget target;
		try {
			target = new KeycloakTarget(config.url(), config.realm(), config.authRealm(), config.clientId(),
					config.clientSecret(), config.username(), config.password(), config.timeout());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("countersign.targets." + name + ": " + ex.getMessage(), ex);
		}
		return new KeycloakConnector(name, new KeycloakAdmin(target, this.json, this.clock), this.changes,
				this.receipts, this.sink, this.inventory, this.transactionManager, this.json);
	}

}
