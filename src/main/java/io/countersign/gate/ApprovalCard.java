package io.countersign.gate;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one open approval task asks of a person, in the words the form, the task list and every notification use:
 * one sentence of what happens to what, one risk line, and when it must be decided. Built from the stored request
 * and response, never from process variables.
 *
 * @param taskId the Tasklist task that decides it
 * @param responseId the response (or agent action) it belongs to
 * @param playbook the playbook's name, e.g. {@code credential-revocation}
 * @param summary what happens to what, e.g. "Disable API key payments-api-key of svc-payments"
 * @param riskLine environment, severity, customer-facing consumers, privilege, e.g.
 * "production · critical · 2 customer-facing consumers · admin privileges"
 * @param candidateGroups who may decide it now
 * @param requestedBy who asked (the integrator, agent or person); the outcome is reported to them
 * @param dueAt when the request expires; null when the policy gave no deadline
 * @param followUpAt when it escalates; null when it does not
 * @param priority Tasklist priority from the severity: critical 100, high 75, medium 50, low 25
 * @param columns what the task list shows of it beside the name, by column (see {@link CardTasks#COLUMNS}); blank
 * values left out
 */
public record ApprovalCard(String taskId, String responseId, String playbook, String summary, String riskLine,
		List<String> candidateGroups, String requestedBy, Instant dueAt, Instant followUpAt, int priority,
		Map<String, String> columns) {

	public ApprovalCard {
		candidateGroups = List.copyOf(candidateGroups);
		Map<String, String> shown = new LinkedHashMap<>();
		columns.forEach((name, value) -> {
			if (value != null && !value.isBlank()) {
				shown.put(name, value);
			}
		});
		columns = Collections.unmodifiableMap(shown);
	}

	/** A card without task-list columns. */
	public ApprovalCard(String taskId, String responseId, String playbook, String summary, String riskLine,
			List<String> candidateGroups, String requestedBy, Instant dueAt, Instant followUpAt, int priority) {
		this(taskId, responseId, playbook, summary, riskLine, candidateGroups, requestedBy, dueAt, followUpAt, priority,
				Map.of());
	}

	/** The task priority Tasklist sorts by, from a response's severity (unknown: medium). */
	public static int priority(String severity) {
		if (severity == null) {
			return 50;
		}
		return switch (severity.toLowerCase(java.util.Locale.ROOT)) {
			case "critical" -> 100;
			case "high" -> 75;
			case "low" -> 25;
			default -> 50;
		};
	}

}
