package io.countersign.gate;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The gate suite again on PostgreSQL, where racing approvers meet real row locks. */
@ActiveProfiles("postgres")
@DirtiesContext
class ApprovalGatePostgresIntegrationTest extends ApprovalGateProcessTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
