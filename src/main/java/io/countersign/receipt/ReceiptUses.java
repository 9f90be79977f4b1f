package io.countersign.receipt;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spends receipts in the caller's transaction: if the caller's change rolls back, so does the use, and a retry can
 * spend the receipt again.
 *
 * <p>On PostgreSQL a failed statement aborts the whole transaction, and a caller refused here must be able to go on
 * in it (a job throws a BPMN error and continues). So a use is looked up before it is recorded, and the insert runs
 * under a savepoint: a concurrent use that wins the race costs only that savepoint.
 */
@Repository
class ReceiptUses {

	private final JdbcClient jdbc;

	private final TransactionTemplate savepoint;

	ReceiptUses(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
		this.jdbc = jdbc;
		this.savepoint = new TransactionTemplate(transactionManager);
		// A savepoint inside the caller's transaction, or a transaction of its own when there is none.
		this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
	}

	/** @throws ReceiptRejectedException {@code replayed} when the receipt was spent before */
	void consume(VerifiedReceipt receipt, String consumer, Instant now) {
		String earlier = this.jdbc.sql("select consumer from receipt_use where receipt_id = ?")
			.param(receipt.id())
			.query(String.class)
			.optional()
			.orElse(null);
		if (earlier != null) {
			throw new ReceiptRejectedException(ReceiptRejectedException.REPLAYED,
					"receipt " + receipt.id() + " was already used by " + earlier);
		}
		if (!record(receipt.id(), receipt.subject(), consumer, now)) {
			throw new ReceiptRejectedException(ReceiptRejectedException.REPLAYED,
					"receipt " + receipt.id() + " was used concurrently");
		}
	}

	/** Who spent the receipt, if anyone has. */
	Optional<String> spentBy(String receiptId) {
		return this.jdbc.sql("select consumer from receipt_use where receipt_id = ?")
			.param(receiptId)
			.query(String.class)
			.optional();
	}

	/** @return false when the receipt id is already recorded; the caller's transaction stays usable either way */
	boolean record(String receiptId, String subject, String consumer, Instant now) {
		try {
			this.savepoint.executeWithoutResult(status -> this.jdbc
				.sql("insert into receipt_use (receipt_id, subject, consumer, used_at) values (?, ?, ?, ?)")
				.params(receiptId, subject, consumer, Timestamp.from(now))
				.update());
			return true;
		}
		catch (DuplicateKeyException ex) {
			return false;
		}
	}

}
