package io.countersign.playbook.secretrotation;

import io.countersign.support.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Every path of the playbook again, on PostgreSQL: the gate, the guard and the rollback rely on its transactions. */
@ActiveProfiles("postgres")
@DirtiesContext
class SecretRotationPostgresIntegrationTest extends SecretRotationProcessTest {

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		DATABASE.registerDataSource(registry);
	}

}
