package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

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

	private static NotifyProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties))
			.bindOrCreate("countersign.notify", Bindable.of(NotifyProperties.class));
	}

}
