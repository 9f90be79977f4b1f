package io.countersign.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class PublicUrlTest {

	@Test
	void shouldBuildTheTasklistDeepLinkFromTheConfiguredPublicUrl() {
		PublicUrl url = url("https://countersign.example.com/", "");

		assertThat(url.base()).isEqualTo("https://countersign.example.com");
		assertThat(url.task("0f3c2a"))
			.isEqualTo("https://countersign.example.com/camunda/app/tasklist/default/#/?task=0f3c2a");
		assertThat(url.response("r-1")).isEqualTo("https://countersign.example.com/api/v1/responses/r-1");
	}

	@Test
	void shouldKeepAPathPrefixOfThePublicUrl() {
		assertThat(url("https://example.com/countersign", "").task("42"))
			.isEqualTo("https://example.com/countersign/camunda/app/tasklist/default/#/?task=42");
	}

	@Test
	void shouldPreferAnExplicitTasklistUrlAndAddItsMissingSlash() {
		assertThat(url("https://countersign.example.com", "https://tasks.example.com/camunda/app/tasklist/default")
			.task("42")).isEqualTo("https://tasks.example.com/camunda/app/tasklist/default/#/?task=42");
	}

	@Test
	void shouldEncodeTheTaskIdInTheLink() {
		assertThat(url("https://c.example", "").task("a&b=c #d")).endsWith("#/?task=a%26b%3Dc+%23d");
	}

	@Test
	void shouldDeriveTheBaseFromHostNamePortAndContextPathWhenNotConfigured() throws Exception {
		PublicUrl url = new PublicUrl("", "", "/camunda/", "default", true, 8443, "/cs/");

		assertThat(url.base()).isEqualTo("https://" + InetAddress.getLocalHost().getHostName() + ":8443/cs");
		assertThat(url.tasklist()).endsWith(":8443/cs/camunda/app/tasklist/default/");
	}

	@Test
	void shouldRefuseToStartWithAPublicUrlThatIsNotAnAbsoluteHttpUrl() {
		assertThatThrownBy(() -> url("countersign.example.com", "")).hasMessageContaining("countersign.public-url");
		assertThatThrownBy(() -> url("javascript:alert(1)", "")).hasMessageContaining("absolute http(s) URL");
		assertThatThrownBy(() -> url("https://c.example/?next=evil", "")).hasMessageContaining("without query");
	}

	private static PublicUrl url(String publicUrl, String tasklist) {
		return new PublicUrl(publicUrl, tasklist, "/camunda", "default", false, 8080, "");
	}

}
