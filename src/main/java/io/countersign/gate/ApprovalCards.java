package io.countersign.gate;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;

import org.springframework.stereotype.Component;

/**
 * The cards of the approval gate's tasks, from the approval request, the response and the inventory as stored: one
 * sentence of what happens to what (from the staged action's type and parameters), and a risk line with what the
 * policy looks at (environment, severity, customer-facing consumers, privilege level).
 */
@Component
class ApprovalCards implements ApprovalCardSource {

	/** How many names a sentence lists before it says "and N more". */
	private static final int NAMES_SHOWN = 4;

	private final ApprovalTasks tasks;

	private final ApprovalGate gate;

	private final Responses responses;

	private final Inventory inventory;

	ApprovalCards(ApprovalTasks tasks, ApprovalGate gate, Responses responses, Inventory inventory) {
		this.tasks = tasks;
		this.gate = gate;
		this.responses = responses;
		this.inventory = inventory;
	}

	@Override
	public Optional<ApprovalCard> card(String taskId) {
		return content(taskId).map(Content::card);
	}

	/** The card with what the form shows besides it, or empty for a task the gate did not create. */
	Optional<Content> content(String taskId) {
		return this.tasks.find(taskId).flatMap(task -> {
			ApprovalRequest request = this.gate.request(task.requestId(), task.responseId());
			Optional<ResponseView> view = this.responses.find(task.responseId());
			Optional<ResponseRecord> record = this.responses.record(task.responseId());
			if (view.isEmpty() || record.isEmpty()) {
				return Optional.empty();
			}
			Identity identity = view.get().identity() == null ? null
					: this.inventory.find(view.get().identity()).orElse(null);
			return Optional.of(content(taskId, request, view.get(), record.get(), identity));
		});
	}

	static Content content(String taskId, ApprovalRequest request, ResponseView view, ResponseRecord record,
			Identity identity) {
		StagedAction action = record.stagedAction() == null ? null : StagedAction.fromJson(record.stagedAction());
		Risk risk = Risk.of(view, identity);
		List<String> groups = new ArrayList<>();
		groups.add(request.approverGroup());
		if (request.escalated() && request.escalationGroup() != null) {
			groups.add(request.escalationGroup());
		}
		ApprovalCard card = new ApprovalCard(taskId, view.id(), view.playbook(),
				sentence(action, view, identity, CardText.PLAIN), risk.line(CardText.PLAIN), groups,
				view.requestedBy(), RequestDeadline.deadline(request), followUp(request),
				ApprovalCard.priority(risk.severity()), columns(risk, view));
		return new Content(card, sentence(action, view, identity, CardText.MARKDOWN), risk.line(CardText.MARKDOWN),
				request, view, risk);
	}

	private static Map<String, String> columns(Risk risk, ResponseView view) {
		Map<String, String> columns = new LinkedHashMap<>();
		columns.put("severity", risk.severity());
		columns.put("environment", risk.environment());
		columns.put("identity", view.identity());
		return columns;
	}

	/**
	 * @param summaryMarkdown the summary with every name as inline code
	 * @param riskMarkdown the risk line with the parts that raise the stakes in bold
	 */
	record Content(ApprovalCard card, String summaryMarkdown, String riskMarkdown, ApprovalRequest request,
			ResponseView view, Risk risk) {
	}

	/**
	 * One sentence of what the staged action does to what, its names written by {@code name}. Without a staged action,
	 * the playbook and its subject.
	 */
	static String sentence(StagedAction action, ResponseView view, Identity identity, UnaryOperator<String> name) {
		if (action == null) {
			return "Decide " + view.playbook() + " for " + subject(view.identity(), view.credential(), name);
		}
		JsonNode p = action.parameters();
		String target = p.path("identity").asText(action.target());
		String credential = p.path("credential").asText(null);
		return switch (action.type()) {
			case ActionTypes.CREDENTIAL_DISABLE -> "Disable " + kind(identity, credential) + " " + name.apply(credential)
					+ " of " + name.apply(target);
			case ActionTypes.CREDENTIAL_SUSPEND -> "Suspend " + kind(identity, credential) + " "
					+ name.apply(credential) + " of " + name.apply(target) + " until someone decides";
			case ActionTypes.CREDENTIAL_ENABLE -> "Restore " + kind(identity, credential) + " " + name.apply(credential)
					+ " of " + name.apply(target) + ": enable it again after its revocation";
			case ActionTypes.CREDENTIAL_ROTATE -> "Rotate " + kind(identity, credential) + " " + name.apply(credential)
					+ " of " + name.apply(target) + version(p, "fromVersion", " from version ")
					+ version(p, "toVersion", " to version ");
			case ActionTypes.PRIVILEGES_REDUCE -> {
				List<String> remove = texts(p.path("remove"));
				int keep = texts(p.path("keep")).size();
				yield "Remove " + count(remove.size(), "privilege") + " from " + name.apply(target) + ": "
						+ names(remove, name) + " (" + keep + " kept)";
			}
			case ActionTypes.IDENTITY_SUSPEND -> "Suspend identity " + name.apply(target)
					+ " and every credential of it until someone decides";
			case ActionTypes.IDENTITY_QUARANTINE -> "Quarantine identity " + name.apply(target) + ": "
					+ (identity == null ? "all its credentials" : "all " + count(identity.credentials().size(), "credential"))
					+ " stop working until a security lead releases it";
			case ActionTypes.IDENTITY_RELEASE -> "Release identity " + name.apply(target)
					+ " from quarantine: its credentials work again";
			case ActionTypes.WORKLOAD_ISOLATE -> "Isolate workload " + name.apply(p.path("workload").asText("?"))
					+ (p.path("customerFacing").asBoolean() ? " (customer-facing)" : "") + ": it stops receiving "
					+ name.apply(target);
			case ActionTypes.FEDERATION_DISABLE -> {
				List<String> partners = texts(p.path("partnerCredentials"));
				yield "Disable federated trust " + name.apply(p.path("trust").asText("?")) + " of "
						+ name.apply(target) + (partners.isEmpty() ? ""
								: " and " + count(partners.size(), "partner credential") + ": " + names(partners, name));
			}
			case ActionTypes.MODEL_DEPLOY -> {
				List<String> resources = new ArrayList<>();
				p.path("resources").fieldNames().forEachRemaining(resources::add);
				yield "Deploy a change to Countersign's models " + name.apply(p.path("changeId").asText("?")) + ": "
						+ count(resources.size(), "model") + " (" + names(resources, name) + ")";
			}
			default -> "Apply " + name.apply(action.type()) + " to " + name.apply(action.target());
		};
	}

	/** What the policy weighs, as the approver should weigh it. */
	record Risk(String environment, String severity, List<String> customerFacing, String privilegeLevel) {

		static Risk of(ResponseView view, Identity identity) {
			Environment environment = parse(Environment::of, view.environment());
			if (view.detections() != null) {
				for (ResponseView.DetectionView detection : view.detections()) {
					environment = Environment.stricter(environment, parse(Environment::of, detection.environment()));
				}
			}
			if (identity != null) {
				environment = Environment.stricter(environment, identity.environment());
			}
			Severity severity = Stream
				.concat(Stream.of(view.severity()),
						view.detections() == null ? Stream.empty() : view.detections().stream().map(d -> d.severity()))
				.map(value -> parse(Severity::of, value))
				.filter(value -> value != null)
				.max(Comparator.naturalOrder())
				.orElse(null);
			return new Risk(environment == null ? null : environment.json(), severity == null ? null : severity.json(),
					ApprovalCards.customerFacing(view.blastRadius()),
					identity == null || identity.privilegeLevel() == null ? null : identity.privilegeLevel().json());
		}

		/** "production · critical · 2 customer-facing consumers (checkout-web, app) · admin privileges". */
		String line(UnaryOperator<String> name) {
			boolean markdown = name == CardText.MARKDOWN;
			List<String> parts = new ArrayList<>();
			if (this.environment != null) {
				parts.add(stressed("production".equals(this.environment), this.environment, markdown));
			}
			if (this.severity != null) {
				parts.add(stressed("critical".equals(this.severity) || "high".equals(this.severity),
						"severity " + this.severity, markdown));
			}
			if (!this.customerFacing.isEmpty()) {
				String consumers = count(this.customerFacing.size(), "customer-facing consumer");
				parts.add(markdown ? "**⚠ " + consumers + "**: " + names(this.customerFacing, name)
						: consumers + " (" + names(this.customerFacing, name) + ")");
			}
			else {
				parts.add("no customer-facing consumer");
			}
			if (this.privilegeLevel != null) {
				parts.add(stressed("admin".equals(this.privilegeLevel), this.privilegeLevel + " privileges", markdown));
			}
			return String.join(" · ", parts);
		}

		private static String stressed(boolean stress, String text, boolean markdown) {
			return stress && markdown ? "**" + text + "**" : text;
		}

	}

	/** The consumers the stored blast radius marks customer-facing, and a customer-facing workload to isolate. */
	static List<String> customerFacing(JsonNode blastRadius) {
		List<String> names = new ArrayList<>();
		if (blastRadius == null || !blastRadius.isObject()) {
			return names;
		}
		if (blastRadius.path("customerFacing").asBoolean() && blastRadius.path("workload").isTextual()) {
			names.add(blastRadius.path("workload").asText());
		}
		for (JsonNode consumer : blastRadius.path("consumers")) {
			if (consumer.path("customerFacing").asBoolean() && consumer.path("consumer").isTextual()
					&& !names.contains(consumer.path("consumer").asText())) {
				names.add(consumer.path("consumer").asText());
			}
		}
		return names;
	}

	private static String subject(String identity, String credential, UnaryOperator<String> name) {
		return credential == null ? name.apply(identity) : name.apply(credential) + " of " + name.apply(identity);
	}

	/** "API key", "client secret", … as the inventory knows the credential; "credential" otherwise. */
	private static String kind(Identity identity, String credentialId) {
		Identity.Credential credential = identity == null || credentialId == null ? null
				: identity.credential(credentialId);
		if (credential == null || credential.kind() == null) {
			return "credential";
		}
		return credential.kind() == CredentialKind.API_KEY ? "API key"
				: credential.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
	}

	private static String version(JsonNode parameters, String field, String prefix) {
		return parameters.path(field).canConvertToInt() ? prefix + parameters.path(field).asInt() : "";
	}

	private static List<String> texts(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach(item -> values.add(item.asText()));
		return values;
	}

	private static String names(List<String> values, UnaryOperator<String> name) {
		List<String> shown = values.stream().limit(NAMES_SHOWN).map(name).toList();
		String more = values.size() > NAMES_SHOWN ? " and " + (values.size() - NAMES_SHOWN) + " more" : "";
		return String.join(", ", shown) + more;
	}

	private static String count(int count, String noun) {
		return count + " " + noun + (count == 1 ? "" : "s");
	}

	private static Instant followUp(ApprovalRequest request) {
		if (request.createdAt() == null || request.escalateAfter() == null) {
			return null;
		}
		try {
			return request.createdAt().plus(Duration.parse(request.escalateAfter()));
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static <T> T parse(java.util.function.Function<String, T> parser, String value) {
		if (value == null) {
			return null;
		}
		try {
			return parser.apply(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
