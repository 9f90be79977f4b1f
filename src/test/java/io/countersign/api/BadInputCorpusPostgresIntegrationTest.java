package io.countersign.api;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same corpus as {@link BadInputCorpusIntegrationTest}, on PostgreSQL, which refuses U+0000 in text itself: the edge
 * must refuse it first, with the same answer as on H2.
 */
@ActiveProfiles("postgres")
@DirtiesContext
class BadInputCorpusPostgresIntegrationTest extends BadInputCorpusIntegrationTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
