package io.countersign.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;

import org.springframework.stereotype.Component;

/**
 * What a staging step acts on, read from the stored response: the identity, credential and evidence as the detection
 * that started it was received. Never process variables: whoever completes a playbook's task (or may update variables
 * through engine-rest) can rewrite those, and would pick the target of an action someone else approves.
 */
@Component
public class DetectionFacts {

	private final Responses responses;

	DetectionFacts(Responses responses) {
		this.responses = responses;
	}

	/** @param evidence the first detection's evidence; a missing node when it had none */
	public record Facts(String responseId, String identity, String credential, JsonNode evidence) {

		/** A text field of the evidence, or null. */
		public String evidenceText(String field) {
			JsonNode value = this.evidence.path(field);
			return value.isTextual() ? value.asText() : null;
		}

	}

	public Facts of(String responseId) {
		ResponseRecord record = this.responses.record(responseId)
			.orElseThrow(() -> new IllegalStateException("response " + responseId + " is unknown"));
		JsonNode evidence = this.responses.find(responseId)
			.map(ResponseView::evidence)
			.filter(node -> node != null && node.isObject())
			.orElse(MissingNode.getInstance());
		return new Facts(record.id(), record.identity(), record.credential(), evidence);
	}

}
