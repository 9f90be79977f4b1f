package io.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Key stores outside any Spring context, each one standing for a node (or a restart of one) over a shared database.
 */
final class KeyStoreFixture {

	/** Test data, not a real secret. */
	static final String SECRET = "test-only-receipt-key-secret-0123456789";

	/** Test data, not a real secret. */
	static final String OTHER_SECRET = "test-only-another-receipt-key-secret-99";

	private KeyStoreFixture() {
	}

	/** A database with our migrations applied, and no key yet. */
	static DataSource migrated(String url, String user, String password) {
		DriverManagerDataSource dataSource = new DriverManagerDataSource(url, user, password);
		Flyway.configure()
			.dataSource(dataSource)
			.locations("classpath:db/migration")
			.table("countersign_schema_history")
			.load()
			.migrate();
		return dataSource;
	}

	static ReceiptProperties properties(String secret) {
		return new ReceiptProperties("countersign", Duration.ofMinutes(15), Duration.ofDays(1), Duration.ofDays(30),
				Duration.ofHours(1), secret);
	}

	/** A node's key store, started as the application starts it. */
	static ReceiptKeys started(DataSource dataSource, ReceiptProperties properties, Clock clock) {
		ReceiptKeys keys = new ReceiptKeys(JdbcClient.create(dataSource), new DataSourceTransactionManager(dataSource),
				properties, clock);
		keys.afterSingletonsInstantiated();
		return keys;
	}

	/** Starts {@code nodes} key stores at the same moment and returns the key each one signs with. */
	static List<String> startConcurrently(DataSource dataSource, int nodes, Clock clock) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(nodes);
		try {
			CountDownLatch ready = new CountDownLatch(nodes);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<String>> kids = new ArrayList<>();
			for (int i = 0; i < nodes; i++) {
				kids.add(executor.submit(() -> {
					ReceiptKeys keys = new ReceiptKeys(JdbcClient.create(dataSource),
							new DataSourceTransactionManager(dataSource), properties(SECRET), clock);
					ready.countDown();
					go.await();
					keys.afterSingletonsInstantiated();
					return keys.signingKey().kid();
				}));
			}
			assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
			go.countDown();
			List<String> result = new ArrayList<>();
			for (Future<String> kid : kids) {
				result.add(kid.get(30, TimeUnit.SECONDS));
			}
			return result;
		}
		finally {
			executor.shutdownNow();
		}
	}

	static long activeKeys(DataSource dataSource) {
		return JdbcClient.create(dataSource)
			.sql("select count(*) from receipt_signing_key where retired_at is null")
			.query(Long.class)
			.single();
	}

}
