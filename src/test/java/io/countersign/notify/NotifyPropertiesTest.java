package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class NotifyPropertiesTest {

	@Test
	void shouldKeepEmailOffByDefault() {
		NotifyProperties properties = bind(Map.of());

		assertThat(properties.email().enabled()).isFalse();
		assertThat(properties.email().from()).isEqualTo("countersign@localhost");
		assertThat(properties.email().extraRecipients()).isEmpty();
	}

	@Test
	void shouldSplitExtraRecipientsAndDropBlankEntriesWhenGivenAsOneString() {
		NotifyProperties properties = bind(
				Map.of("countersign.notify.email.extra-recipients", " oncall@example.com , ,leads@example.com,"));

		assertThat(properties.email().extraRecipients()).containsExactly("oncall@example.com", "leads@example.com");
	}

	@Test
	void shouldHaveNoExtraRecipientsWhenTheVariableIsEmpty() {
		NotifyProperties properties = bind(Map.of("countersign.notify.email.extra-recipients", ""));

		assertThat(properties.email().extraRecipients()).isEmpty();
	}

	@Test
	void shouldHaveNoChatRoutesAndBoundedDeliveryByDefault() {
		NotifyProperties properties = bind(Map.of());

		assertThat(properties.slack().isEmpty()).isTrue();
		assertThat(properties.teams().webhook("platform-owners")).isEmpty();
		assertThat(properties.delivery().maxAttempts()).isEqualTo(5);
		assertThat(properties.delivery().maxQueued()).isEqualTo(1000);
		assertThat(properties.delivery().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.delivery().readTimeout()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void shouldRouteAGroupWhateverCaseAndPunctuationTheEnvironmentGaveItsName() {
		SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource(
				StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
				Map.of("COUNTERSIGN_NOTIFY_SLACK_WEBHOOKS_PLATFORMOWNERS", "https://hooks.slack.test/services/a",
						"COUNTERSIGN_NOTIFY_TEAMS_WEBHOOKS_AGENT_REVIEWERS", "https://teams.test/workflows/b",
						"COUNTERSIGN_NOTIFY_SLACK_REQUESTERS_SCANNER", "https://hooks.slack.test/services/c"));

		NotifyProperties properties = new Binder(ConfigurationPropertySources.from(environment))
			.bindOrCreate("countersign.notify", Bindable.of(NotifyProperties.class));

		assertThat(properties.slack().webhook("platform-owners"))
			.contains(URI.create("https://hooks.slack.test/services/a"));
		assertThat(properties.teams().webhook("agent-reviewers")).contains(URI.create("https://teams.test/workflows/b"));
		assertThat(properties.slack().requester("scanner")).contains(URI.create("https://hooks.slack.test/services/c"));
		assertThat(properties.slack().webhook("security-leads")).isEmpty();
	}

	@Test
	void shouldRefuseAWebhookThatIsNotAnHttpUrlWithoutSayingTheUrl() {
		assertThatThrownBy(() -> bind(Map.of("countersign.notify.slack.webhooks.platform-owners",
				"hooks.slack.test/services/secret-token")))
			.rootCause()
			.hasMessageContaining("webhooks.platform-owners is not an absolute http(s) URL")
			.hasMessageNotContaining("secret-token");
	}

	@Test
	void shouldSwitchARouteOffWithAnEmptyValue() {
		assertThat(bind(Map.of("countersign.notify.teams.webhooks.platform-owners", "")).teams().isEmpty()).isTrue();
	}

	static NotifyProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties))
			.bindOrCreate("countersign.notify", Bindable.of(NotifyProperties.class));
	}

}
