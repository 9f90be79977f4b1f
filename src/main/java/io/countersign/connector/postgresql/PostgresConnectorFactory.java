package io.countersign.connector.postgresql;

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

/** One {@link PostgresConnector} per {@code countersign.targets.<name>.type=postgresql}. */
@Component
class PostgresConnectorFactory implements TargetConnectorFactory {

	private final TargetChanges changes;

	private final ReceiptVerifier receipts;

	private final SecretSink sink;

	// Lazily: the inventory asks the targets which names exist, and the targets are built from this factory.
	private final ObjectProvider<Inventory> inventory;

	private final PlatformTransactionManager transactionManager;

	private final ObjectMapper json;

	PostgresConnectorFactory(TargetChanges changes, ReceiptVerifier receipts, SecretSink sink,
			ObjectProvider<Inventory> inventory, PlatformTransactionManager transactionManager, ObjectMapper json) {
		this.changes = changes;
		this.receipts = receipts;
		this.sink = sink;
		this.inventory = inventory;
		this.transactionManager = transactionManager;
		this.json = json;
	}

	@Override
	public TargetType type() {
		return TargetType.POSTGRESQL;
	}

	@Override
	public ActionConnector connector(String name, TargetConfig config) {
		PostgresTarget target;
		try {
			target = new PostgresTarget(config.jdbcUrl(), config.username(), config.password());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("countersign.targets." + name + ": " + ex.getMessage(), ex);
		}
		return new PostgresConnector(name, target, new PostgresRoles(target), this.changes, this.receipts, this.sink,
				this.inventory, this.transactionManager, this.json);
	}

}
