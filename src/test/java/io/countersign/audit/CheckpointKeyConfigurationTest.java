package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointKeyConfigurationTest {

	@TempDir
	Path directory;

	@Test
	void shouldGiveNodesStartingTogetherOneWholeSecret() throws Exception {
		Path file = this.directory.resolve("data").resolve("ledger-key-secret");
		int nodes = 8;
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(nodes);
		try {
			List<Future<String>> secrets = new ArrayList<>();
			for (int i = 0; i < nodes; i++) {
				secrets.add(pool.submit(() -> {
					start.await();
					return CheckpointKeyConfiguration.perInstallSecret(file);
				}));
			}
			start.countDown();
			Set<String> seen = new HashSet<>();
			for (Future<String> secret : secrets) {
				seen.add(secret.get());
			}

			assertThat(seen).hasSize(1);
			assertThat(seen.iterator().next()).hasSizeGreaterThanOrEqualTo(LedgerProperties.MIN_SECRET_LENGTH)
				.isEqualTo(Files.readString(file).strip());
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
			try (Stream<Path> left = Files.list(file.getParent())) {
				assertThat(left).containsExactly(file);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

}
