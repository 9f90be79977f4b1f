package io.countersign.connector.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class WebhookPropertiesTest {

	static final String SECRET = "0123456789abcdef0123456789abcdef";

	@Test
	void shouldDefaultToNoEndpointsAndShortTimeouts() {
		WebhookProperties properties = bind(Map.of());

		assertThat(properties.secret()).isEmpty();
		assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.readTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.endpoints()).isEmpty();
	}

	@Test
	void shouldBindEndpointsKeyedByDottedActionType() {
		WebhookProperties properties = bind(Map.of("countersign.connectors.webhook.secret", SECRET,
				"countersign.connectors.webhook.read-timeout", "PT2S",
				"countersign.connectors.webhook.endpoints[credential.suspend]", "https://idp.example.com/hooks/cs",
				"countersign.connectors.webhook.endpoints[workload.isolate]", "http://10.0.0.7:8080/isolate"));

		assertThat(properties.readTimeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(properties.endpoints()).containsOnly(
				Map.entry("credential.suspend", URI.create("https://idp.example.com/hooks/cs")),
				Map.entry("workload.isolate", URI.create("http://10.0.0.7:8080/isolate")));
	}

	@Test
	void shouldAcceptEmptySecretWhenNoEndpointIsConfigured() {
		WebhookProperties properties = bind(Map.of("countersign.connectors.webhook.secret", ""));

		assertThat(properties.endpoints()).isEmpty();
	}

	@Test
	void shouldRejectShortSecretWhenAnEndpointIsConfigured() {
		assertThatThrownBy(() -> bind(Map.of("countersign.connectors.webhook.secret", "too-short",
				"countersign.connectors.webhook.endpoints[credential.suspend]", "https://idp.example.com/hooks")))
			.rootCause()
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("countersign.connectors.webhook.secret (COUNTERSIGN_WEBHOOK_SECRET) has 9 characters")
			.hasMessageContaining("at least 32")
			.hasMessageNotContaining("too-short");
	}

	@Test
	void shouldRejectMissingSecretWhenAnEndpointIsConfigured() {
		assertThatThrownBy(() -> bind(
				Map.of("countersign.connectors.webhook.endpoints[credential.suspend]", "https://idp.example.com/hooks")))
			.rootCause()
			.hasMessageContaining("has 0 characters");
	}

	@Test
	void shouldRejectNonHttpUrl() {
		assertThatThrownBy(() -> bind(Map.of("countersign.connectors.webhook.secret", SECRET,
				"countersign.connectors.webhook.endpoints[credential.suspend]", "ftp://files.example.com/hooks")))
			.rootCause()
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("countersign.connectors.webhook.endpoints[credential.suspend]")
			.hasMessageContaining("absolute http or https URL");
	}

	@Test
	void shouldRejectRelativeUrl() {
		assertThatThrownBy(() -> bind(Map.of("countersign.connectors.webhook.secret", SECRET,
				"countersign.connectors.webhook.endpoints[credential.suspend]", "/hooks/credential")))
			.rootCause()
			.hasMessageContaining("absolute http or https URL");
	}

	@Test
	void shouldRejectNonPositiveTimeout() {
		assertThatThrownBy(() -> bind(Map.of("countersign.connectors.webhook.read-timeout", "PT0S")))
			.rootCause()
			.hasMessageContaining("countersign.connectors.webhook.read-timeout must be a positive duration");
	}

	@Test
	void shouldNotPrintTheSecret() {
		Map<String, String> settings = new HashMap<>();
		settings.put("countersign.connectors.webhook.secret", SECRET);
		settings.put("countersign.connectors.webhook.endpoints[credential.suspend]", "https://idp.example.com/h");

		assertThat(bind(settings).toString()).doesNotContain(SECRET).contains("secret=(set)");
	}

	private static WebhookProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties))
			.bindOrCreate(WebhookProperties.PREFIX, Bindable.of(WebhookProperties.class));
	}

}
