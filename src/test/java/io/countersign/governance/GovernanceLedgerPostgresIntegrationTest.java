package io.countersign.governance;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same attacks as {@link GovernanceLedgerIntegrationTest}, on PostgreSQL. */
@ActiveProfiles("postgres")
@DirtiesContext
class GovernanceLedgerPostgresIntegrationTest extends GovernanceLedgerIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
