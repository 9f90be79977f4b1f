package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import com.zaxxer.hikari.HikariDataSource;
import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ledger on PostgreSQL, where several nodes share one database: each simulated node has its own connection pool,
 * transaction manager and {@link Ledger}, as separate processes would.
 */
class LedgerPostgresIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	static HikariDataSource nodeA;

	static HikariDataSource nodeB;

	final String responseId = UUID.randomUUID().toString();

	@BeforeAll
	static void twoNodes() {
		nodeA = pool(DATABASE, "node-a");
		nodeB = pool(DATABASE, "node-b");
		LedgerTestSupport.migrate(nodeA, null);
	}

	@AfterAll
	static void closePools() {
		nodeA.close();
		nodeB.close();
	}

	@BeforeEach
	void emptyLedger() {
		LedgerTestSupport.reset(JdbcClient.create(nodeA));
	}

	@Test
	void shouldKeepOneContiguousChainWhenEightThreadsAppendConcurrently() throws Exception {
		LedgerTestSupport.Node node = LedgerTestSupport.Node.on(nodeA);

		LedgerTestSupport.appendConcurrently(8, 50, List.of(node));

		assertContiguousVerifiedChain(node.ledger(), 400);
	}

	@Test
	void shouldKeepOneLinearChainWhenTwoNodesAppendConcurrently() throws Exception {
		LedgerTestSupport.Node a = LedgerTestSupport.Node.on(nodeA);
		LedgerTestSupport.Node b = LedgerTestSupport.Node.on(nodeB);

		LedgerTestSupport.appendConcurrently(8, 50, List.of(a, b));

		assertContiguousVerifiedChain(a.ledger(), 400);
		assertThat(b.ledger().verify().ok()).isTrue();
		// Both nodes' entries share the chain, not two chains side by side.
		Map<String, Long> perThread = a.ledger()
			.page(0, 1000)
			.stream()
			.collect(Collectors.groupingBy(LedgerEntry::actor, Collectors.counting()));
		assertThat(perThread).hasSize(8).allSatisfy((actor, count) -> assertThat(count).isEqualTo(50));
	}

	/**
	 * Transaction 1 holds a row lock and appends; transaction 2 appends and then waits for that row. Had transaction 2
	 * taken the chain lock when it appended, transaction 1 could not commit and PostgreSQL would abort one of them.
	 */
	@Test
	void shouldNotDeadlockWhenAnAppenderWaitsForARowLockHeldByAnother() throws Exception {
		JdbcClient jdbcA = JdbcClient.create(nodeA);
		JdbcClient jdbcB = JdbcClient.create(nodeB);
		jdbcA.sql("create table if not exists lock_probe (id int primary key, n int not null)").update();
		jdbcA.sql("delete from lock_probe").update();
		jdbcA.sql("insert into lock_probe (id, n) values (1, 0)").update();
		LedgerTestSupport.Node a = LedgerTestSupport.Node.on(nodeA);
		LedgerTestSupport.Node b = LedgerTestSupport.Node.on(nodeB);
		CountDownLatch appendedByTwo = new CountDownLatch(1);

		CompletableFuture<Void> two = CompletableFuture.runAsync(() -> new TransactionTemplate(b.transactionManager())
			.executeWithoutResult(status -> {
				b.ledger().append(this.responseId, "SECOND", null, null);
				appendedByTwo.countDown();
				jdbcB.sql("update lock_probe set n = n + 1 where id = 1").update();
			}));
		new TransactionTemplate(a.transactionManager()).executeWithoutResult(status -> {
			jdbcA.sql("update lock_probe set n = n + 1 where id = 1").update();
			a.ledger().append(this.responseId, "FIRST", null, null);
			await(appendedByTwo);
			sleep(300);
		});
		two.get(20, TimeUnit.SECONDS);

		assertThat(a.ledger().forResponse(this.responseId)).extracting(LedgerEntry::type)
			.containsExactly("FIRST", "SECOND");
		assertThat(jdbcA.sql("select n from lock_probe where id = 1").query(Integer.class).single()).isEqualTo(2);
		assertThat(a.ledger().verify().ok()).isTrue();
	}

	@Test
	void shouldReportFirstTamperedEntry() {
		Ledger ledger = LedgerTestSupport.ledger(nodeA);
		for (int i = 1; i <= 5; i++) {
			ledger.append(this.responseId, "STEP", "actor-" + i, "step " + i, Map.of("step", i));
		}
		JdbcClient jdbc = JdbcClient.create(nodeA);
		assertThat(ledger.verify().ok()).isTrue();

		jdbc.sql("delete from ledger_entry where seq = 5").update();
		assertBroken(ledger.verify(), 5, LedgerVerification.Reason.HEAD_MISMATCH);

		jdbc.sql("update ledger_entry set detail = 'nothing to see' where seq = 3").update();
		assertBroken(ledger.verify(), 3, LedgerVerification.Reason.HASH_MISMATCH);

		jdbc.sql("delete from ledger_entry where seq = 2").update();
		assertBroken(ledger.verify(), 2, LedgerVerification.Reason.SEQ_GAP);
	}

	@Test
	void shouldChainResponseEventsWhenMigratingOnPostgres() throws Exception {
		try (PostgresTestDatabase database = new PostgresTestDatabase().start();
				HikariDataSource dataSource = pool(database, "migration")) {
			String migrated = LedgerTestSupport.migrateResponseEvents(dataSource);

			LedgerMigrationTest.assertMigrated(dataSource, migrated);
		}
	}

	private static void assertContiguousVerifiedChain(Ledger ledger, int size) {
		assertThat(ledger.page(0, size + 1)).extracting(LedgerEntry::seq)
			.containsExactlyElementsOf(LongStream.rangeClosed(1, size).boxed().toList());
		LedgerVerification verification = ledger.verify();
		assertThat(verification.ok()).as(String.valueOf(verification.firstBroken())).isTrue();
		assertThat(verification.entries()).isEqualTo(size);
		assertThat(verification.head().seq()).isEqualTo(size);
	}

	private static void assertBroken(LedgerVerification verification, long seq, LedgerVerification.Reason reason) {
		assertThat(verification.ok()).isFalse();
		assertThat(verification.firstBroken().seq()).as(verification.firstBroken().detail()).isEqualTo(seq);
		assertThat(verification.firstBroken().reason()).isEqualTo(reason);
	}

	private static HikariDataSource pool(PostgresTestDatabase database, String name) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setPoolName(name);
		dataSource.setJdbcUrl(database.getJdbcUrl());
		dataSource.setUsername(database.getUsername());
		if (!database.getPassword().isEmpty()) {
			dataSource.setPassword(database.getPassword());
		}
		dataSource.setMaximumPoolSize(8);
		return dataSource;
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
