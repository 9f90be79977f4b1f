package io.countersign.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Shared by the H2 and PostgreSQL ledger tests. */
final class LedgerTestSupport {

	/** A ledger as one application node sees it: its own pool and transaction manager. */
	record Node(Ledger ledger, PlatformTransactionManager transactionManager) {
	}

	private LedgerTestSupport() {
	}

	static void reset(JdbcClient jdbc) {
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
