package io.countersign.response;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The join scenarios of {@link ResponseJoinIntegrationTest} on PostgreSQL (a throwaway database), where the row lock
 * that serializes simultaneous detections is PostgreSQL's own.
 */
@ActiveProfiles("postgres")
@DirtiesContext
class ResponseJoinPostgresIntegrationTest extends ResponseJoinIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
