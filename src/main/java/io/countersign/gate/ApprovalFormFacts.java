package io.countersign.gate;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseVariables;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;

import org.springframework.stereotype.Component;

/**
 * What an approval task's form shows about the action, read from the response and the approval request the task
 * decides: the first approver cannot show the second a harmless fake action by rewriting display variables, and the
 * form's {@code approvedFingerprint} (computed from {@code actionFingerprint}) is the stored one.
 */
@Component
class ApprovalFormFacts implements TaskFormFacts {

	private final ApprovalTasks tasks;

	private final ApprovalGate gate;

	private final Responses responses;

	ApprovalFormFacts(ApprovalTasks tasks, ApprovalGate gate, Responses responses) {
		this.tasks = tasks;
		this.gate = gate;
		this.responses = responses;
	}

	@Override
	public Map<String, Object> facts(String taskId) {
		return this.tasks.find(taskId).map(this::facts).orElse(Map.of());
	}

	private Map<String, Object> facts(ApprovalTasks.ApprovalTask task) {
		ApprovalRequest request = this.gate.request(task.requestId(), task.responseId());
		ResponseView view = this.responses.find(task.responseId()).orElseThrow();
		ResponseRecord record = this.responses.record(task.responseId()).orElseThrow();
		Quorum quorum = this.gate.quorum(request);
		Map<String, Object> facts = new HashMap<>();
		facts.put(ResponseVariables.SUMMARY, view.summary());
		facts.put(ResponseVariables.SOURCE, view.source());
		facts.put(ResponseVariables.SEVERITY, view.severity());
		facts.put(ResponseVariables.ENVIRONMENT, view.environment());
		facts.put(ResponseVariables.IDENTITY, view.identity());
		facts.put(ResponseVariables.CREDENTIAL, view.credential());
		facts.put(ResponseVariables.REQUESTED_BY, view.requestedBy());
		facts.put(ResponseVariables.EVIDENCE, pretty(view.evidence()));
		facts.put(ResponseVariables.BLAST_RADIUS, blastRadius(view.blastRadius()));
		facts.put(ResponseVariables.ROLLBACK_PLAN, view.rollbackPlan());
		facts.put(ResponseVariables.STAGED_ACTION, record.stagedAction() == null ? null
				: StagedAction.fromJson(record.stagedAction()).toJsonNode().toPrettyString());
		facts.put(ResponseVariables.ACTION_FINGERPRINT, request.actionFingerprint());
		facts.put(ApprovalVariables.POLICY_RULE, request.policyRule());
		facts.put(ApprovalVariables.POLICY_VERSION, request.policyVersion());
		facts.put(ApprovalVariables.PROGRESS, quorum.describe());
		facts.put(ApprovalVariables.STILL_NEEDED, quorum.stillNeeded());
		return facts;
	}

	/**
	 * The stored blast radius as the approver reads it: one line per consumer ("- storefront (customer-facing), last
	 * used …"), other facts as "name: value".
	 */
	static String blastRadius(JsonNode json) {
		if (json == null || json.isNull() || json.isMissingNode()) {
			return null;
		}
		StringBuilder text = new StringBuilder();
		if (json.isObject()) {
			json.fields().forEachRemaining(field -> {
				if (field.getValue().isArray()) {
					text.append(field.getKey()).append(":\n");
					appendList(text, field.getValue());
				}
				else {
					text.append(field.getKey()).append(": ").append(field.getValue().asText()).append('\n');
				}
			});
		}
		else if (json.isArray()) {
			text.append(json.isEmpty() ? "No known consumers." : json.size() + " consumer(s):").append('\n');
			appendList(text, json);
		}
		else {
			text.append(json.asText());
		}
		return text.toString().strip();
	}

	private static void appendList(StringBuilder text, JsonNode items) {
		for (JsonNode item : items) {
			if (item.has("consumer")) {
				text.append("- ").append(item.path("consumer").asText())
					.append(item.path("customerFacing").asBoolean() ? " (customer-facing)" : "")
					.append(item.path("lastUsedAt").isTextual() ? ", last used " + item.path("lastUsedAt").asText()
							: ", never seen using it")
					.append('\n');
			}
			else {
				text.append("- ").append(item.isValueNode() ? item.asText() : item.toString()).append('\n');
			}
		}
	}

	private static String pretty(JsonNode json) {
		return json == null || json.isNull() || json.isMissingNode() ? null : json.toPrettyString();
	}

}
