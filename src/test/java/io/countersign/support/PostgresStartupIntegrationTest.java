package io.countersign.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.countersign.CountersignApplication;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Boots the real application with the {@code postgres} profile against a fresh PostgreSQL database, then
 * restarts it against the same database. This is what every redeploy of a node does, and what several nodes
 * sharing one database do all day: the schema must already be there and unchanged {@code bpmn/} and
 * {@code forms/} files must not pile up new deployments and process definition versions.
 *
 * <p>
 * {@code src/test/resources/bpmn/ci-smoke.bpmn} and {@code forms/ci-smoke.form} make sure there is at least one
 * process and one Camunda Form to deploy, whatever the application ships yet.
 */
class PostgresStartupIntegrationTest {

	private static final String SMOKE_PROCESS = "ci-smoke";

	@RegisterExtension
	static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

	@Test
	void shouldDeployNothingNewWhenRestartedWithUnchangedResources() throws SQLException {
		long deploymentsAfterFirstStart;
		Map<String, Integer> versionsAfterFirstStart;

		try (ConfigurableApplicationContext first = start()) {
			assertThatDataSourceIsPostgres(first);
			JdbcTemplate jdbc = new JdbcTemplate(first.getBean(DataSource.class));
			assertThat(first.getBean(ProcessEngine.class).getName()).isNotBlank();
			// The engine wrote its schema version here; readable means the ACT_* schema exists and is ours.
			assertThat(jdbc.queryForObject("SELECT count(*) FROM act_ge_property WHERE name_ = 'schema.version'",
					Integer.class))
				.isEqualTo(1);
			assertThat(jdbc.queryForObject("SELECT to_regclass('countersign_schema_history') IS NOT NULL",
					Boolean.class))
				.as("Flyway history table countersign_schema_history")
				.isTrue();

			RepositoryService repository = first.getBean(RepositoryService.class);
			ProcessDefinition smoke = repository.createProcessDefinitionQuery()
				.processDefinitionKey(SMOKE_PROCESS)
				.latestVersion()
				.singleResult();
			assertThat(smoke).as("process %s auto-deployed from bpmn/", SMOKE_PROCESS).isNotNull();
			// formRefBinding="deployment" only resolves if the form travelled in the same deployment.
			assertThat(repository.getDeploymentResourceNames(smoke.getDeploymentId()))
				.anySatisfy((name) -> assertThat(name).endsWith(".form"));

			deploymentsAfterFirstStart = repository.createDeploymentQuery().count();
			versionsAfterFirstStart = versionsByKey(repository);
			assertThat(deploymentsAfterFirstStart).isPositive();
		}

		try (ConfigurableApplicationContext second = start()) {
			RepositoryService repository = second.getBean(RepositoryService.class);
			assertThat(repository.createDeploymentQuery().count()).isEqualTo(deploymentsAfterFirstStart);
			assertThat(versionsByKey(repository)).isEqualTo(versionsAfterFirstStart);
		}
	}

	/**
	 * Command-line arguments, because they outrank the profile files and {@code COUNTERSIGN_DB_*} from the
	 * environment. The job executor stays off so nothing runs between the two starts; port 0 keeps the two
	 * contexts, and anything else on the machine, from fighting over 8080.
	 */
	private static ConfigurableApplicationContext start() {
		String[] overrides = { "--camunda.bpm.job-execution.enabled=false", "--server.port=0" };
		String[] dataSource = DATABASE.dataSourceArguments();
		String[] args = new String[overrides.length + dataSource.length];
		System.arraycopy(overrides, 0, args, 0, overrides.length);
		System.arraycopy(dataSource, 0, args, overrides.length, dataSource.length);
		return new SpringApplicationBuilder(CountersignApplication.class).profiles("postgres").run(args);
	}

	private static void assertThatDataSourceIsPostgres(ConfigurableApplicationContext context) throws SQLException {
		try (Connection connection = context.getBean(DataSource.class).getConnection()) {
			assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
			assertThat(connection.getCatalog()).isEqualTo(DATABASE.getDatabaseName());
		}
	}

	private static Map<String, Integer> versionsByKey(RepositoryService repository) {
		List<ProcessDefinition> definitions = repository.createProcessDefinitionQuery().list();
		return definitions.stream()
			.collect(Collectors.toMap(ProcessDefinition::getKey, ProcessDefinition::getVersion, Math::max));
	}

}
