package io.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.countersign.support.PostgresTestDatabase;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every receipt test again on PostgreSQL, where a failed statement aborts the whole transaction, plus the races that
 * only a real second connection shows: a use committed by another node while ours waits, and nodes starting together.
 */
@ActiveProfiles("postgres")
@DirtiesContext
class ReceiptsPostgresIntegrationTest extends ReceiptsTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

	@Autowired
	DataSource dataSource;

	@Test
	void shouldRefuseARacingDuplicateWithoutPoisoningTheCallersTransaction() throws Exception {
		IssuedReceipt raced = issue();
		IssuedReceipt next = issue();
		CountDownLatch rivalInserted = new CountDownLatch(1);
		// Another node spends the receipt and commits only once our insert is waiting for its row lock: our look-up
		// saw nothing, and the unique key fails our insert after the look-up.
		TransactionTemplate otherNode = new TransactionTemplate(this.transactionManager);
		CompletableFuture<Void> rival = CompletableFuture.runAsync(() -> otherNode.executeWithoutResult(status -> {
			this.jdbc.sql("insert into receipt_use (receipt_id, subject, consumer, used_at) values (?, ?, ?, ?)")
				.params(raced.id(), this.subject, "rival-node", Timestamp.from(this.clock.instant()))
				.update();
			rivalInserted.countDown();
			Awaitility.await().atMost(Duration.ofSeconds(20)).until(this::someoneWaitsForALock);
		}));
		assertThat(rivalInserted.await(20, TimeUnit.SECONDS)).isTrue();

		new TransactionTemplate(this.transactionManager).executeWithoutResult(status -> {
			ReceiptRejectedException refused = catchThrowableOfType(ReceiptRejectedException.class,
					() -> this.verifier.verifyAndConsume(raced.token(), this.subject, this.fingerprint, CONSUMER));
			assertThat(refused.reason()).isEqualTo(ReceiptRejectedException.REPLAYED);
			assertThat(refused).hasMessageContaining("concurrently");
			// The job goes on in the same transaction; without the savepoint PostgreSQL would refuse this.
			this.verifier.verifyAndConsume(next.token(), this.subject, this.fingerprint, CONSUMER);
		});
		rival.get(20, TimeUnit.SECONDS);

		assertThat(this.jdbc.sql("select consumer from receipt_use where receipt_id in (?, ?) order by consumer")
			.params(raced.id(), next.id())
			.query(String.class)
			.list()).containsExactly("rival-node", CONSUMER);
	}

	@Test
	void shouldCreateOneActiveKeyWhenNodesStartTogetherOnPostgres() throws Exception {
		try (PostgresTestDatabase empty = new PostgresTestDatabase()) {
			empty.start();
			DataSource shared = KeyStoreFixture.migrated(empty.getJdbcUrl(), empty.getUsername(), empty.getPassword());

			List<String> kids = KeyStoreFixture.startConcurrently(shared, 4, this.clock);

			assertThat(kids).hasSize(4).containsOnly(kids.get(0));
			assertThat(KeyStoreFixture.activeKeys(shared)).isEqualTo(1);
		}
	}

	/** A separate connection in autocommit mode: pg_stat_activity is frozen inside a transaction. */
	private boolean someoneWaitsForALock() throws Exception {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("""
						select count(*) from pg_stat_activity
						where datname = current_database() and wait_event_type = 'Lock'""");
				ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1) > 0;
		}
	}

}
