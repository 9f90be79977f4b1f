package io.countersign.gate;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseVariables;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What an approval task's form shows about the action, read from the response and the approval request the task
 * decides: the first approver cannot show the second a harmless fake action by rewriting display variables, and the
 * form's {@code approvedFingerprint} (computed from {@code actionFingerprint}) is the stored one.
 *
 * <p>The card's facts ({@code card*}) are Markdown for the form's text views, every value from an integrator
 * escaped or in a code span; the forms template only these into text, never a raw variable.
 */
@Component
class ApprovalFormFacts implements TaskFormFacts {

	private final ApprovalTasks tasks;

	private final ApprovalGate gate;

	private final Responses responses;

	private final ApprovalCards cards;

	private final JdbcClient jdbc;

	private final Clock clock;

	ApprovalFormFacts(ApprovalTasks tasks, ApprovalGate gate, Responses responses, ApprovalCards cards,
			JdbcClient jdbc, Clock clock) {
		this.tasks = tasks;
		this.gate = gate;
		this.responses = responses;
		this.cards = cards;
		this.jdbc = jdbc;
		this.clock = clock;
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
		this.cards.content(task.taskId()).ifPresent(content -> facts.putAll(card(content, quorum, record)));
		return facts;
	}

	private Map<String, Object> card(ApprovalCards.Content content, Quorum quorum, ResponseRecord record) {
		ApprovalRequest request = content.request();
		ResponseView view = content.view();
		Map<String, Object> card = new HashMap<>();
		card.put(CardFacts.SUMMARY, content.summaryMarkdown());
		card.put(CardFacts.RISK, content.riskMarkdown());
		card.put(CardFacts.DEADLINE, deadline(content.card(), request, quorum, this.clock.instant()));
		card.put(CardFacts.CONTAINMENT, containment(record.id()));
		card.put(CardFacts.BLAST_RADIUS, blastRadiusMarkdown(view.blastRadius()));
		card.put(CardFacts.BLAST_RADIUS_FACTS, blastRadiusFacts(view.blastRadius()));
		String rollback = view.rollbackPlan() == null ? null : CardText.escape(view.rollbackPlan());
		if (request.rollbackWindow() != null) {
			rollback = (rollback == null ? "" : rollback + " ") + "Undo on request within "
					+ CardText.escape(period(request.rollbackWindow())) + ".";
		}
		card.put(CardFacts.ROLLBACK, rollback);
		card.put(CardFacts.DETECTION, detection(view));
		card.put(CardFacts.EVIDENCE, CardText.block(pretty(view.evidence()), "json"));
		card.put(CardFacts.STAGED_ACTION, record.stagedAction() == null ? null
				: CardText.block(StagedAction.fromJson(record.stagedAction()).toJsonNode().toPrettyString(), "json"));
		card.put(CardFacts.FINGERPRINT, request.actionFingerprint() == null ? null : CardText.code(request.actionFingerprint()));
		card.put(CardFacts.POLICY, "rule " + CardText.code(request.policyRule()) + " of "
				+ CardText.code(request.policyVersion()) + ", approvers " + CardText.code(request.approverGroup())
				+ (request.escalationGroup() == null ? "" : ", escalation to " + CardText.code(request.escalationGroup())));
		card.put(CardFacts.APPROVALS, CardText.escape(quorum.describe()));
		return card;
	}

	/**
	 * "expires in 7 h 12 min (…) · 0 of 2 approval(s) · escalates to security-leads in 2 h", as of the moment the
	 * form loads.
	 */
	static String deadline(ApprovalCard card, ApprovalRequest request, Quorum quorum, Instant now) {
		List<String> parts = new ArrayList<>();
		String expiry = CardText.expiry(card.dueAt(), now);
		parts.add("**" + (expiry == null ? "no deadline" : CardText.escape(expiry)) + "**");
		parts.add(quorum.approvers().size() + " of " + quorum.required() + " approvals so far");
		if (request.escalationGroup() != null) {
			if (request.escalated()) {
				parts.add("escalated to " + CardText.code(request.escalationGroup()));
			}
			else if (card.followUpAt() != null && now.isBefore(card.followUpAt())) {
				parts.add("escalates to " + CardText.code(request.escalationGroup()) + " in "
						+ CardText.duration(java.time.Duration.between(now, card.followUpAt())));
			}
		}
		return String.join(" · ", parts);
	}

	/** The containment in place before the decision, from the recorded actions; null when there is none. */
	private String containment(String responseId) {
		return this.jdbc.sql("""
				select action_type, target, status from action_execution where response_id = ? and purpose = 'contain'
				order by created_at desc, id desc""")
			.param(responseId)
			.query((rs, row) -> List.of(rs.getString("action_type"), rs.getString("target"), rs.getString("status")))
			.list()
			.stream()
			.findFirst()
			.filter(latest -> "APPLIED".equals(latest.get(2)))
			.map(latest -> "**Already contained:** " + CardText.code(latest.get(0)) + " of "
					+ CardText.code(latest.get(1)) + " is in place. Rejecting undoes it.")
			.orElse(null);
	}

	private static String detection(ResponseView view) {
		return CardText.escape(view.summary()) + " (" + CardText.code(view.source()) + ", requested by "
				+ CardText.code(view.requestedBy()) + ", " + CardText.escape(CardText.at(view.createdAt())) + ")";
	}

	/**
	 * Who loses what, from the stored blast radius in Markdown: one line per consumer with its last use, customer-facing
	 * ones in bold (a workload to isolate is its one consumer). Names are code spans.
	 */
	static String blastRadiusMarkdown(JsonNode json) {
		if (json == null || json.isNull() || json.isMissingNode()) {
			return null;
		}
		List<String> lines = new ArrayList<>();
		if (json.isArray()) {
			consumerLines(lines, json);
		}
		else if (json.path("workload").isTextual()) {
			consumerLine(lines, json.path("workload").asText(), json.path("customerFacing").asBoolean(),
					json.path("lastUsedAt"));
		}
		else if (json.has("consumers")) {
			consumerLines(lines, json.path("consumers"));
		}
		return lines.isEmpty() ? null : String.join("\n", lines);
	}

	/** The stored blast radius's other facts ("remove: a, b · keep: c"), for the details. */
	static String blastRadiusFacts(JsonNode json) {
		if (json == null || !json.isObject()) {
			return null;
		}
		List<String> facts = new ArrayList<>();
		json.fields().forEachRemaining(field -> {
			JsonNode value = field.getValue();
			if ("consumers".equals(field.getKey()) || value.isNull()) {
				return;
			}
			if (value.isArray()) {
				List<String> items = new ArrayList<>();
				value.forEach(item -> items.add(CardText.code(item.isValueNode() ? item.asText() : item.toString())));
				facts.add(CardText.escape(field.getKey()) + ": " + (items.isEmpty() ? "none" : String.join(", ", items)));
			}
			else {
				facts.add(CardText.escape(field.getKey()) + ": " + CardText.code(value.asText()));
			}
		});
		return facts.isEmpty() ? null : String.join(" · ", facts);
	}

	private static void consumerLines(List<String> lines, JsonNode consumers) {
		if (consumers.isEmpty()) {
			lines.add("No known consumers.");
			return;
		}
		for (JsonNode item : consumers) {
			consumerLine(lines, item.path("consumer").asText("?"), item.path("customerFacing").asBoolean(),
					item.path("lastUsedAt"));
		}
	}

	private static void consumerLine(List<String> lines, String consumer, boolean customerFacing, JsonNode lastUsedAt) {
		String name = CardText.code(consumer);
		lines.add("- " + (customerFacing ? "**" + name + " customer-facing**" : name) + ", "
				+ (lastUsedAt.isTextual() ? "last used " + CardText.escape(lastUsed(lastUsedAt.asText()))
						: "never seen using it"));
	}

	/** "30 d" for PT720H; the policy's text when it is no duration. */
	private static String period(String iso) {
		try {
			return CardText.duration(java.time.Duration.parse(iso));
		}
		catch (java.time.format.DateTimeParseException ex) {
			return iso;
		}
	}

	private static String lastUsed(String instant) {
		try {
			return CardText.at(Instant.parse(instant));
		}
		catch (java.time.format.DateTimeParseException ex) {
			return instant;
		}
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
