package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ApprovalFormFactsTest {

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void shouldRenderStoredConsumersAsTheApproverReadsThem() throws Exception {
		String text = ApprovalFormFacts.blastRadius(this.json.readTree("""
				[{"consumer":"storefront","customerFacing":true,"lastUsedAt":"2026-11-20T10:00:00Z"},
				 {"consumer":"batch","customerFacing":false}]"""));

		assertThat(text).isEqualTo("""
				2 consumer(s):
				- storefront (customer-facing), last used 2026-11-20T10:00:00Z
				- batch, never seen using it""");
	}

	@Test
	void shouldRenderNamedFactsAndNestedConsumers() throws Exception {
		String text = ApprovalFormFacts.blastRadius(this.json.readTree("""
				{"trust":"partner-oidc","partnerCredentials":["p-1","p-2"],
				 "consumers":[{"consumer":"sync","customerFacing":false,"lastUsedAt":null}]}"""));

		assertThat(text).isEqualTo("""
				trust: partner-oidc
				partnerCredentials:
				- p-1
				- p-2
				consumers:
				- sync, never seen using it""");
		assertThat(ApprovalFormFacts.blastRadius(this.json.readTree("[]"))).isEqualTo("No known consumers.");
		assertThat(ApprovalFormFacts.blastRadius(null)).isNull();
	}

}
