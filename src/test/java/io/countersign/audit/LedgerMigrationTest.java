package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** V3 and V3_1 on H2 with events recorded before the ledger existed; {@code LedgerPostgresIntegrationTest} repeats it on PostgreSQL. */
class LedgerMigrationTest {

	private final DataSource dataSource = new DriverManagerDataSource(
			"jdbc:h2:mem:migration-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void shouldChainExistingResponseEventsInRecordedOrderAndDropTheirTable() {
		String responseId = LedgerTestSupport.migrateResponseEvents(this.dataSource);

		assertMigrated(this.dataSource, responseId);
	}

	@Test
	void shouldStartAnEmptyChainOnAFreshDatabase() {
		LedgerTestSupport.migrate(this.dataSource, null);
		Ledger ledger = LedgerTestSupport.ledger(this.dataSource);

		assertThat(ledger.verify())
			.isEqualTo(new LedgerVerification(true, 0, new LedgerVerification.Head(0, LedgerHashes.GENESIS), null));
	}

	static void assertMigrated(DataSource dataSource, String responseId) {
		Ledger ledger = LedgerTestSupport.ledger(dataSource);
		List<LedgerEntry> entries = ledger.forResponse(responseId);

		assertThat(entries).extracting(LedgerEntry::seq).containsExactly(1L, 2L, 3L);
		assertThat(entries).extracting(LedgerEntry::type).containsExactly("REQUESTED", "STAGED", "TASK_CREATED");
		assertThat(entries.get(0).actor()).isEqualTo("scanner");
		assertThat(entries.get(0).at()).isEqualTo(Instant.parse("2026-11-20T09:00:00.123Z"));
		assertThat(entries.get(2).detail()).isNull();
		assertThat(entries).allSatisfy(entry -> assertThat(entry.data().path("migratedFrom").asText())
			.isEqualTo("response_event"));
		assertThat(ledger.verify().ok()).isTrue();
		assertThatThrownBy(() -> JdbcClient.create(dataSource).sql("select count(*) from response_event")
			.query(Long.class)
			.single()).hasMessageContaining("response_event");

		ledger.append(responseId, "COMPLETED", null, "after the migration");
		assertThat(ledger.forResponse(responseId)).last().satisfies(entry -> {
			assertThat(entry.seq()).isEqualTo(4);
			assertThat(entry.prevHash()).isEqualTo(entries.get(2).hash());
		});
		assertThat(ledger.verify().ok()).isTrue();
	}

}
