package io.countersign.gate;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same races as {@link DecisionRaceIntegrationTest}, on PostgreSQL (a throwaway database). */
@ActiveProfiles("postgres")
@DirtiesContext
class DecisionRacePostgresIntegrationTest extends DecisionRaceIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
