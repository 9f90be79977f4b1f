package io.countersign.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.List;
import java.util.Map;

import io.countersign.action.ActionConnector;
import io.countersign.action.ConnectorCall;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.StaticListableBeanFactory;

class TargetsTest {

	private static final ActionConnector INVENTORY = connector("inventory");

	private static final ActionConnector WEBHOOK = connector("webhook");

	@Test
	void shouldOfferTheInventoryTargetWithoutConfiguration() {
		Targets targets = targets(Map.of(), List.of());

		assertThat(targets.names()).containsExactly("inventory");
		assertThat(targets.exists("inventory")).isTrue();
		assertThat(targets.named("inventory")).isSameAs(INVENTORY);
	}

	@Test
	void shouldBuildOneConnectorPerTargetThroughItsTypesFactory() {
		TargetConnectorFactory keycloak = new TargetConnectorFactory() {
			@Override
			public TargetType type() {
				return TargetType.KEYCLOAK;
			}

			@Override
			public ActionConnector connector(String name, TargetConfig config) {
				return TargetsTest.connector(name);
			}
		};

		Targets targets = targets(Map.of("kc-prod", config(TargetType.KEYCLOAK), "hooks", config(TargetType.WEBHOOK)),
				List.of(keycloak));

		assertThat(targets.names()).containsExactly("hooks", "inventory", "kc-prod");
		assertThat(targets.named("kc-prod").name()).isEqualTo("kc-prod");
		assertThat(targets.named("hooks")).isSameAs(WEBHOOK);
		assertThat(targets.type("kc-prod")).contains(TargetType.KEYCLOAK);
	}

	@Test
	void shouldRefuseToStartWithATargetWhoseTypeHasNoConnector() {
		assertThatIllegalStateException()
			.isThrownBy(() -> targets(Map.of("db", config(TargetType.POSTGRESQL)), List.of()))
			.withMessage("countersign.targets.db.type is postgresql, but no connector for it is installed");
	}

	@Test
	void shouldRefuseToStartWithoutATypeOrWithABadOrReservedName() {
		assertThatIllegalStateException().isThrownBy(() -> targets(Map.of("kc", config(null)), List.of()))
			.withMessageStartingWith("countersign.targets.kc.type is required");
		assertThatIllegalStateException()
			.isThrownBy(() -> targets(Map.of("Prod_KC", config(TargetType.WEBHOOK)), List.of()))
			.withMessageContaining("lower-case words joined by hyphens");
		assertThatIllegalStateException()
			.isThrownBy(() -> targets(Map.of("inventory", config(TargetType.WEBHOOK)), List.of()))
			.withMessageContaining("built-in");
	}

	@Test
	void shouldFailClosedForAConnectorThatIsNotConfiguredAnyMore() {
		Targets targets = targets(Map.of(), List.of());

		assertThatIllegalStateException().isThrownBy(() -> targets.named("kc-prod"))
			.withMessageContaining("No connector 'kc-prod'");
	}

	@Test
	void shouldNeverPrintSecretsOfATarget() {
		TargetConfig config = new TargetConfig(TargetType.KEYCLOAK, "https://sso", "r", null, "countersign",
				"client-secret-value", "admin", "admin-password-value", null, null, null);

		assertThat(config.toString()).doesNotContain("client-secret-value").doesNotContain("admin-password-value");
		assertThat(config.authRealm()).isEqualTo("master");
	}

	private static Targets targets(Map<String, TargetConfig> configured, List<TargetConnectorFactory> factories) {
		return new Targets(new TargetsProperties(configured), List.of(INVENTORY, WEBHOOK), factories,
				new StaticListableBeanFactory().getBeanProvider(io.countersign.inventory.Inventory.class));
	}

	private static TargetConfig config(TargetType type) {
		return new TargetConfig(type, null, null, null, null, null, null, null, null, null, null);
	}

	private static ActionConnector connector(String name) {
		return new ActionConnector() {
			@Override
			public String name() {
				return name;
			}

			@Override
			public void stage(ConnectorCall call) {
			}

			@Override
			public void apply(ConnectorCall call) {
			}

			@Override
			public void verify(ConnectorCall call) {
			}

			@Override
			public void rollback(ConnectorCall call) {
			}
		};
	}

}
