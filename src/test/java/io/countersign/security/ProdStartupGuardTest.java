package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.env.MockEnvironment;

class ProdStartupGuardTest {

	private static final String STRONG_PASSWORD = "Kx7#mQ2!vTz9pL";

	@Test
	void shouldAcceptStrongConfiguration() {
		ProdStartupGuard guard = new ProdStartupGuard(strongConfiguration());

		assertThat(guard.problems()).isEmpty();
		assertThatNoException().isThrownBy(() -> guard.postProcessBeanFactory(new DefaultListableBeanFactory()));
	}

	@Test
	void shouldRefuseMissingAdminUser() {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.id", "");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("prod profile")
			.withMessageContaining("COUNTERSIGN_ADMIN_USER is not set");
	}

	@Test
	void shouldRefuseMissingAdminPassword() {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.password", "");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_ADMIN_PASSWORD is not set");
	}

	@ParameterizedTest
	@CsvSource({ "Kx7#mQ2!v, at least 10 characters", "KX7#MQ2!VTZ9PL, a lower-case letter",
			"kx7#mq2!vtz9pl, an upper-case letter", "Kxs#mQw!vTzbpL, a digit", "Kx7XmQ2svTz9pL, a special character" })
	void shouldRefuseAdminPasswordThatCamundaPolicyRejects(String password, String missing) {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.password", password);

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_ADMIN_PASSWORD is too weak")
			.withMessageContaining(missing);
	}

	@Test
	void shouldRefuseAdminPasswordContainingTheUserId() {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.password",
				"Opsadmin-42!x");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_ADMIN_PASSWORD is too weak")
			.withMessageContaining("none of the admin's id");
	}

	@Test
	void shouldRefuseAdminPasswordEqualToTheUserId() {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.id", STRONG_PASSWORD);

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_ADMIN_PASSWORD is a well-known demo value or the user id");
	}

	@ParameterizedTest
	@ValueSource(strings = { "admin", "demo", "changeme", "Changeme123!", "P@ssw0rd2024!", "#Countersign2025",
			"Letmein!2345" })
	void shouldRefuseKnownDemoAdminPasswords(String password) {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.password", password);

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_ADMIN_PASSWORD is a well-known demo value");
	}

	@Test
	void shouldRefuseDemoUsers() {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.demo.enabled", "true");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("countersign.demo.enabled is true (COUNTERSIGN_DEMO)");
	}

	@Test
	void shouldRefuseDirectDeploymentsTurnedBackOn() {
		MockEnvironment environment = strongConfiguration()
			.withProperty("countersign.model-changes.direct-deployments", "true");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("countersign.model-changes.direct-deployments is true (COUNTERSIGN_DIRECT_DEPLOYMENTS)");
	}

	@Test
	void shouldRefuseEmptyDatabasePassword() {
		MockEnvironment environment = strongConfiguration().withProperty("spring.datasource.password", "");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_DB_PASSWORD is not set");
	}

	@Test
	void shouldRefuseDemoDatabasePassword() {
		MockEnvironment environment = strongConfiguration().withProperty("spring.datasource.password", "countersign");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_DB_PASSWORD is the demo default 'countersign'");
	}

	@Test
	void shouldRefuseMissingReceiptKeySecret() {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.receipts.key-encryption-secret",
				"");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_RECEIPT_KEY_SECRET is not set");
	}

	@Test
	void shouldRefuseShortReceiptKeySecret() {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.receipts.key-encryption-secret",
				"too-short-for-aes-256");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_RECEIPT_KEY_SECRET has 21 characters; it needs at least 32");
	}

	@Test
	void shouldRefuseMissingLedgerKeySecret() {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.ledger.key-secret", "");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_LEDGER_KEY_SECRET is not set");
	}

	@Test
	void shouldRefuseShortLedgerKeySecret() {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.ledger.key-secret",
				"too-short-to-derive-a-key");

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining("COUNTERSIGN_LEDGER_KEY_SECRET has 25 characters; it needs at least 32");
	}

	@Test
	void shouldNameEveryMissingVariableAtOnce() {
		ProdStartupGuard guard = new ProdStartupGuard(new MockEnvironment());

		assertThat(String.join("\n", guard.problems())).contains("COUNTERSIGN_ADMIN_USER", "COUNTERSIGN_ADMIN_PASSWORD",
				"COUNTERSIGN_DB_PASSWORD", "COUNTERSIGN_RECEIPT_KEY_SECRET", "COUNTERSIGN_LEDGER_KEY_SECRET",
				"COUNTERSIGN_PUBLIC_URL");
		assertThat(guard.problems()).hasSize(6);
	}

	@Test
	void shouldRefuseSingleSignOnWithoutClientSecretAndNeedNoAdminPassword() {
		MockEnvironment environment = strongConfiguration().withProperty("camunda.bpm.admin-user.id", "")
			.withProperty("camunda.bpm.admin-user.password", "")
			.withProperty("countersign.oidc.issuer", "https://sso.example.com/realms/acme")
			.withProperty("countersign.oidc.client-id", "countersign");
		environment.setActiveProfiles("prod", "keycloak");

		assertThat(new ProdStartupGuard(environment).problems()).singleElement()
			.asString()
			.startsWith(ProdStartupGuard.OIDC_CLIENT_SECRET_ENV + " is not set");
		assertThatIllegalStateException().isThrownBy(() -> refuse(environment))
			.withMessageContaining(ProdStartupGuard.OIDC_CLIENT_SECRET_ENV);

		// Test data, not a real secret.
		environment.setProperty("countersign.oidc.client-secret", "test-only-client-secret");
		assertThat(new ProdStartupGuard(environment).problems()).isEmpty();
	}

	@Test
	void shouldRefuseSingleSignOnOverPlainHttpOrWithoutIssuer() {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.oidc.client-id", "countersign")
			.withProperty("countersign.oidc.client-secret", "test-only-client-secret")
			.withProperty("countersign.oidc.issuer", "http://sso.example.com/realms/acme");
		environment.setActiveProfiles("prod", "keycloak");

		assertThat(new ProdStartupGuard(environment).problems()).singleElement()
			.asString()
			.contains(ProdStartupGuard.OIDC_ISSUER_ENV + " is not an https URL");

		environment.setProperty("countersign.oidc.issuer", "");
		assertThat(new ProdStartupGuard(environment).problems()).singleElement()
			.asString()
			.startsWith(ProdStartupGuard.OIDC_ISSUER_ENV + " is not set");
	}

	@ParameterizedTest
	@CsvSource({ "'', COUNTERSIGN_PUBLIC_URL is not set", "http://countersign.example.com, not an https URL" })
	void shouldRefuseMissingOrPlainHttpPublicUrl(String publicUrl, String problem) {
		MockEnvironment environment = strongConfiguration().withProperty("countersign.public-url", publicUrl);

		assertThatIllegalStateException().isThrownBy(() -> refuse(environment)).withMessageContaining(problem);
	}

	@Test
	void shouldSeeThroughDecoratedDemoWords() {
		assertThat(ProdStartupGuard.undecorated("Admin123!")).isEqualTo("admin");
		assertThat(ProdStartupGuard.undecorated("P@ssw0rd!")).isEqualTo("password");
		assertThat(ProdStartupGuard.undecorated(STRONG_PASSWORD)).isNotIn("admin", "password");
	}

	private static void refuse(MockEnvironment environment) {
		new ProdStartupGuard(environment).postProcessBeanFactory(new DefaultListableBeanFactory());
	}

	private static MockEnvironment strongConfiguration() {
		return new MockEnvironment().withProperty("camunda.bpm.admin-user.id", "opsadmin")
			.withProperty("camunda.bpm.admin-user.password", STRONG_PASSWORD)
			.withProperty("camunda.bpm.admin-user.first-name", "Countersign")
			.withProperty("camunda.bpm.admin-user.last-name", "Administrator")
			.withProperty("countersign.demo.enabled", "false")
			.withProperty("spring.datasource.password", "vault-issued-db-secret")
			// Test data, not a real secret.
			.withProperty("countersign.receipts.key-encryption-secret", "test-only-receipt-key-secret-0123456789")
			.withProperty("countersign.ledger.key-secret", "test-only-ledger-key-secret-0123456789")
			.withProperty("countersign.public-url", "https://countersign.example.com");
	}

}
