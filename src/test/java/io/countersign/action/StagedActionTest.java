package io.countersign.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StagedActionTest {

	private final ObjectMapper mapper = new ObjectMapper();

	@Test
	void shouldFingerprintTheSameActionIdenticallyWhateverItsFormatting() throws Exception {
		StagedAction compact = StagedAction.fromJson(
				"{\"type\":\"credential.rotate\",\"target\":\"t\",\"parameters\":{\"toVersion\":2,\"fromVersion\":1}}");
		StagedAction pretty = StagedAction.fromJson("""
				{
				  "parameters" : { "fromVersion" : 1, "toVersion" : 2 },
				  "target" : "t",
				  "type" : "credential.rotate"
				}""");
		assertThat(pretty.fingerprint()).isEqualTo(compact.fingerprint()).matches("sha256:[0-9a-f]{64}");
		assertThat(compact.toJson())
			.isEqualTo("{\"parameters\":{\"fromVersion\":1,\"toVersion\":2},\"target\":\"t\",\"type\":\"credential.rotate\"}");
	}

	@Test
	void shouldChangeTheFingerprintWhenAnyParameterChanges() throws Exception {
		StagedAction approved = new StagedAction("credential.rotate", "t",
				this.mapper.readTree("{\"fromVersion\":1,\"toVersion\":2}"));
		StagedAction changed = new StagedAction("credential.rotate", "t",
				this.mapper.readTree("{\"fromVersion\":1,\"toVersion\":3}"));
		StagedAction retargeted = new StagedAction("credential.rotate", "u",
				this.mapper.readTree("{\"fromVersion\":1,\"toVersion\":2}"));
		assertThat(changed.fingerprint()).isNotEqualTo(approved.fingerprint());
		assertThat(retargeted.fingerprint()).isNotEqualTo(approved.fingerprint());
	}

	@Test
	void shouldFingerprintNumbersByValue() {
		assertThat(CanonicalJson.write("{\"a\":1.50,\"b\":[true,null,\"x\"]}"))
			.isEqualTo("{\"a\":1.5,\"b\":[true,null,\"x\"]}");
		assertThat(CanonicalJson.write("{\"a\":1E2}")).isEqualTo(CanonicalJson.write("{\"a\":100.0}"));
	}

	@Test
	void shouldRefuseAnActionWithoutTypeTargetOrObjectParameters() {
		assertThatThrownBy(() -> StagedAction.fromJson("{\"target\":\"t\",\"parameters\":{}}"))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> StagedAction.fromJson("{\"type\":\"x\",\"target\":\"t\",\"parameters\":[1]}"))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> StagedAction.fromJson("not json")).isInstanceOf(IllegalArgumentException.class);
	}

}
