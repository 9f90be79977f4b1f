package io.countersign.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Shared by the H2 and PostgreSQL ledger tests. */
final class LedgerTestSupport {

	/** A ledger as one application node sees it: its own pool and transaction manager. */
	record Node(Ledger ledger, PlatformTransactionManager transactionManager) {

		static Node on(DataSource dataSource) {
			DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(dataSource);
			return new Node(new Ledger(JdbcClient.create(dataSource), transactionManager), transactionManager);
		}

	}

	private LedgerTestSupport() {
	}

	static Ledger ledger(DataSource dataSource) {
		return Node.on(dataSource).ledger();
	}

	/** Our migrations as the application runs them, up to {@code target} or, when null, all of them. */
	static void migrate(DataSource dataSource, String target) {
		FluentConfiguration configuration = Flyway.configure()
			.dataSource(dataSource)
			.table("countersign_schema_history")
			.locations("classpath:db/migration")
			.javaMigrations(new V3_1__Ledger_from_response_events());
		if (target != null) {
			configuration.target(target);
		}
		configuration.load().migrate();
	}

	/** A V2 database with one response and its timeline, then migrated to the latest version. */
	static String migrateResponseEvents(DataSource dataSource) {
		migrate(dataSource, "2");
		JdbcClient jdbc = JdbcClient.create(dataSource);
		String responseId = UUID.randomUUID().toString();
		Timestamp created = Timestamp.from(Instant.parse("2026-11-20T09:00:00.123456Z"));
		jdbc.sql("""
				insert into response (id, playbook, status, identity_id, requested_by, summary, source, severity,
				  environment, evidence, created_at, updated_at)
				values (?, 'secret-rotation', 'COMPLETED', 'svc-1', 'scanner', 'leak', 'scanner', 'high',
				  'production', '{}', ?, ?)""")
			.params(responseId, created, created)
			.update();
		// Recorded out of time order on purpose: the chain keeps the order of recording.
		event(jdbc, responseId, "2026-11-20T09:00:00.123456Z", "REQUESTED", "scanner", "scanner: leak");
		event(jdbc, responseId, "2026-11-20T09:00:02Z", "STAGED", null, "credential.rotate on token-1");
		event(jdbc, responseId, "2026-11-20T09:00:01.5Z", "TASK_CREATED", null, null);
		migrate(dataSource, null);
		return responseId;
	}

	private static void event(JdbcClient jdbc, String responseId, String at, String type, String actor,
			String detail) {
		jdbc.sql("insert into response_event (response_id, at, type, actor, detail) values (?, ?, ?, ?, ?)")
			.params(responseId, Timestamp.from(Instant.parse(at)), type, actor, detail)
			.update();
	}

	static void reset(JdbcClient jdbc) {
		// Checkpoints of the old chain would vouch for entries the new one does not have.
		jdbc.sql("delete from ledger_checkpoint").update();
		jdbc.sql("delete from ledger_entry").update();
		jdbc.sql("update ledger_head set seq = 0, hash = ? where id = 1").param(LedgerHashes.GENESIS).update();
	}

	/**
	 * {@code threads} threads, spread round-robin over the nodes, each appending {@code appendsPerThread} entries,
	 * each in its own transaction, all released at once.
	 */
	static void appendConcurrently(int threads, int appendsPerThread, List<Node> nodes) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<?>> results = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				Node node = nodes.get(t % nodes.size());
				TransactionTemplate transaction = new TransactionTemplate(node.transactionManager());
				String responseId = UUID.randomUUID().toString();
				int thread = t;
				results.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < appendsPerThread; i++) {
						int n = i;
						transaction.executeWithoutResult(status -> node.ledger()
							.append(responseId, "CONCURRENT", "thread-" + thread, "append " + n, Map.of("n", n)));
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> result : results) {
				result.get(2, TimeUnit.MINUTES);
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

}
