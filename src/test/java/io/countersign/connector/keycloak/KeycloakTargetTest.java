package io.countersign.connector.keycloak;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeycloakTargetTest {

	@Test
	void shouldHideClientSecretAndPasswordWhenPrinted() {
		KeycloakTarget client = KeycloakTarget.withClient("https://sso.example.com/", "payments", null, "countersign",
				"client-secret-value", null);
		KeycloakTarget user = KeycloakTarget.withUser("https://sso.example.com", "payments", "master", "operator",
				"password-value", Duration.ofSeconds(3));

		assertThat(client.toString()).doesNotContain("client-secret-value").contains("clientSecret=***");
		assertThat(user.toString()).doesNotContain("password-value").contains("password=***");
		assertThat(new SecretRotation(new ClientSecret("fresh-secret-value"), java.util.Optional.empty()).toString())
			.doesNotContain("fresh-secret-value");
	}

	@Test
	void shouldDefaultToMasterRealmAndTenSecondsWhenLeftOut() {
		KeycloakTarget target = KeycloakTarget.withClient("https://sso.example.com/", "payments", " ", "countersign",
				"secret", null);

		assertThat(target.url()).isEqualTo("https://sso.example.com");
		assertThat(target.authRealm()).isEqualTo("master");
		assertThat(target.timeout()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void shouldRefuseTargetWithBothOrNeitherLogin() {
		assertThatThrownBy(() -> new KeycloakTarget("https://sso.example.com", "payments", null, "countersign",
				"secret", "operator", "password", null))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new KeycloakTarget("https://sso.example.com", "payments", null, "countersign", null,
				null, null, null))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> KeycloakTarget.withUser("https://sso.example.com", "payments", null, "operator", "",
				null))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void shouldRefuseUrlThatIsNotHttpOrCarriesCredentials() {
		assertThatThrownBy(() -> KeycloakTarget.withClient("ftp://sso.example.com", "payments", null, "countersign",
				"secret", null))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> KeycloakTarget.withClient("https://admin:pw@sso.example.com", "payments", null,
				"countersign", "secret", null))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageNotContaining("pw");
		assertThatThrownBy(() -> KeycloakTarget.withClient("https://sso.example.com", "payments", null, "countersign",
				"secret", Duration.ZERO))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
