package io.countersign.playbook;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The attacks on the approved path again on PostgreSQL, where the engine's and our transactions differ most. */
@ActiveProfiles("postgres")
@DirtiesContext
class ApprovedPathPostgresIntegrationTest extends ApprovedPathIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
