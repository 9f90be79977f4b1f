package io.countersign.modelchange;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.response.ResponseStatus;

/**
 * A model change as integrators and auditors see it: the response that carries its approval, the complete model set
 * by hash (content never leaves through the API twice; it is in the request and in the deployment), the diff.
 */
record ModelChangeView(String id, String response, ResponseStatus status, String requestedBy, String summary,
		String fingerprint, String baseFingerprint, List<FileView> files, JsonNode diff, String deploymentId,
		Instant createdAt, Map<String, String> links) {

	record FileView(String name, String sha256, boolean changed) {
	}

}
