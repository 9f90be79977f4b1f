package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;

import io.countersign.CountersignApplication;

/**
 * Starts the real application with the prod profile. The environment hides every COUNTERSIGN_* variable of the
 * machine running the test, so "missing" means missing.
 */
class ProdProfileStartupIntegrationTest {

	private static final String STRONG_PASSWORD = "Kx7#mQ2!vTz9pL";

	@Test
	void shouldRefuseToStartWithoutAdminCredentialsFromTheEnvironment() {
		SpringApplication application = prodApplication();

		assertThatIllegalStateException()
			.isThrownBy(() -> application.run("--spring.datasource.url=jdbc:h2:mem:prodguard;DB_CLOSE_DELAY=-1",
					"--server.port=0").close())
			.withMessageContaining("Refusing to start with the prod profile")
			.withMessageContaining("COUNTERSIGN_ADMIN_USER is not set")
			.withMessageContaining("COUNTERSIGN_ADMIN_PASSWORD is not set")
			.withMessageContaining("COUNTERSIGN_RECEIPT_KEY_SECRET is not set")
			.withMessageContaining("COUNTERSIGN_LEDGER_KEY_SECRET is not set")
			.withMessageContaining("COUNTERSIGN_PUBLIC_URL is not set");
	}

	@Test
	void shouldStartWithStrongConfigurationAndCreateNoDemoUsers() {
		SpringApplication application = prodApplication();

		try (ConfigurableApplicationContext context = application.run(
				"--spring.datasource.url=jdbc:h2:mem:prodguard-strong;DB_CLOSE_DELAY=-1",
				"--spring.datasource.password=vault-issued-db-secret", "--camunda.bpm.admin-user.id=opsadmin",
				"--camunda.bpm.admin-user.password=" + STRONG_PASSWORD, "--server.port=0",
				// Test data, not a real secret.
				"--countersign.receipts.key-encryption-secret=test-only-receipt-key-secret-0123456789",
				"--countersign.ledger.key-secret=test-only-ledger-key-secret-0123456789", "--countersign.public-url=https://countersign.example.com",
				"--camunda.bpm.generate-unique-process-engine-name=true", "--camunda.bpm.job-execution.enabled=false")) {
			IdentityService identityService = context.getBean(IdentityService.class);

			assertThat(identityService.checkPassword("opsadmin", STRONG_PASSWORD)).isTrue();
			assertThat(identityService.createUserQuery().userIdIn("alice", "bob", "scanner").count()).isZero();
			assertThat(identityService.createGroupQuery().list().stream().map(Group::getId).toList())
				.containsAll(List.of(Groups.ADMIN, Groups.INTEGRATORS, Groups.SECOPS_ANALYSTS));
			// The packaged models went in at startup; after that nothing deploys except a countersigned model change.
			RepositoryService repositoryService = context.getBean(RepositoryService.class);
			assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("approval-gate").count())
				.isOne();
			assertThatThrownBy(() -> repositoryService.createDeployment()
				.addModelInstance("rogue.bpmn",
						Bpmn.createExecutableProcess("approval-gate").camundaHistoryTimeToLive(1).startEvent().endEvent().done())
				.deploy()).isInstanceOf(AuthorizationException.class).hasMessageContaining("countersigned-model-change");
			assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("approval-gate").count())
				.isOne();
		}
	}

	private static SpringApplication prodApplication() {
		SpringApplication application = new SpringApplication(CountersignApplication.class);
		application.setAdditionalProfiles("prod");
		application.setEnvironment(new StandardEnvironment() {
			@Override
			public Map<String, Object> getSystemEnvironment() {
				Map<String, Object> variables = new HashMap<>(super.getSystemEnvironment());
				variables.keySet().removeIf(name -> name.startsWith("COUNTERSIGN_"));
				return variables;
			}
		});
		return application;
	}

}
