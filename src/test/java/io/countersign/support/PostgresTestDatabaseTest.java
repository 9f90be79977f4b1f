package io.countersign.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class PostgresTestDatabaseTest {

	@Test
	void shouldReplaceDatabaseWhenUrlNamesOne() {
		assertThat(PostgresTestDatabase.withDatabase("jdbc:postgresql://127.0.0.1:5432/postgres", "it_1"))
			.isEqualTo("jdbc:postgresql://127.0.0.1:5432/it_1");
	}

	@Test
	void shouldKeepParametersWhenUrlHasThem() {
		assertThat(PostgresTestDatabase.withDatabase("jdbc:postgresql://db:5433/postgres?sslmode=require&x=/y", "it_1"))
			.isEqualTo("jdbc:postgresql://db:5433/it_1?sslmode=require&x=/y");
	}

	@Test
	void shouldAddDatabaseWhenUrlNamesNone() {
		assertThat(PostgresTestDatabase.withDatabase("jdbc:postgresql://db", "it_1")).isEqualTo("jdbc:postgresql://db/it_1");
		assertThat(PostgresTestDatabase.withDatabase("jdbc:postgresql://db/?ssl=true", "it_1"))
			.isEqualTo("jdbc:postgresql://db/it_1?ssl=true");
	}

	@Test
	void shouldRejectUrlWhenNotPostgres() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PostgresTestDatabase.withDatabase("jdbc:h2:mem:test", "it_1"))
			.withMessageContaining("COUNTERSIGN_TEST_PG_URL");
	}

}
