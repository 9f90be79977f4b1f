package io.countersign.modelchange;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;

/**
 * What a model change changes, in the terms an approver judges it by: for a decision table, which rules were added,
 * removed, reordered or changed, and whether a quorum or an approver group went down; for a process, which elements
 * were added, removed or changed; for a form, which fields. Findings that can make approval weaker are marked, so the
 * one line an approver must not miss is not lost among the rest.
 */
final class ModelDiff {

	/** One thing that changed. {@code weakens}: it can let an action through with fewer or other approvers. */
	record Finding(String file, String kind, String element, String detail, boolean weakens) {

		String text() {
			return (this.weakens ? "WEAKENS " : "") + this.file + ": " + this.detail;
		}

	}

	/** The change set against the current models. */
	record Diff(List<String> added, List<String> changed, List<Finding> findings) {

		/** Most findings the ledger entry and the approval form list one by one; the rest are counted. */
		static final int MAX_LISTED = 100;

		boolean weakens() {
			return this.findings.stream().anyMatch(Finding::weakens);
		}

		Map<String, Object> summary() {
			Map<String, Object> summary = new LinkedHashMap<>();
			summary.put("added", this.added);
			summary.put("changed", this.changed);
			summary.put("weakens", weakens());
			List<String> listed = this.findings.stream().limit(MAX_LISTED).map(Finding::text).toList();
			summary.put("findings", listed);
			if (this.findings.size() > MAX_LISTED) {
				summary.put("findingsNotListed", this.findings.size() - MAX_LISTED);
			}
			return summary;
		}

		String text() {
			StringBuilder text = new StringBuilder();
			List<Finding> weakening = this.findings.stream().filter(Finding::weakens).toList();
			text.append(this.changed.size()).append(" file(s) changed").append(this.changed.isEmpty() ? "" : " ")
				.append(String.join(", ", this.changed)).append("; ").append(this.added.size()).append(" added")
				.append(this.added.isEmpty() ? "" : " ").append(String.join(", ", this.added)).append(".\n");
			text.append(weakening.isEmpty() ? "Nothing found that lowers a quorum or changes who approves.\n"
					: weakening.size() + " finding(s) can weaken approvals:\n");
			this.findings.stream().sorted((a, b) -> Boolean.compare(b.weakens(), a.weakens())).limit(MAX_LISTED)
				.forEach(f -> text.append("- ").append(f.text()).append('\n'));
			if (this.findings.size() > MAX_LISTED) {
				text.append("- and ").append(this.findings.size() - MAX_LISTED).append(" more\n");
			}
			return text.toString();
		}

	}

	private ModelDiff() {
	}

	/**
	 * @param before the current content, or null for a new file
	 */
	static List<Finding> of(String file, String before, String after, ObjectMapper objectMapper) {
		Object next = ModelFiles.parse(file, after, objectMapper);
		if (before == null) {
			return List.of(new Finding(file, "file-added", file, "new file " + file, file.endsWith(".dmn")));
		}
		Object previous;
		try {
			previous = ModelFiles.parse(file, before, objectMapper);
		}
		catch (IllegalArgumentException ex) {
			return List.of(new Finding(file, "file-replaced", file, "replaces a version that cannot be compared", true));
		}
		if (file.endsWith(".dmn")) {
			return decisions(file, (Document) previous, (Document) next);
		}
		if (file.endsWith(".bpmn")) {
			return processes(file, (Document) previous, (Document) next);
		}
		return form(file, (JsonNode) previous, (JsonNode) next);
	}

	// ---- DMN -------------------------------------------------------------------------------------------------------

	private record Rule(String id, List<String> inputs, List<String> outputs) {
	}

	private record Table(String decision, String hitPolicy, List<String> inputLabels, List<String> outputNames,
			List<Rule> rules) {
	}

	private static Map<String, Table> tables(Document document) {
		Map<String, Table> tables = new TreeMap<>();
		for (Element decision : ModelFiles.children(document.getDocumentElement(), "decision")) {
			for (Element table : ModelFiles.children(decision, "decisionTable")) {
				List<String> inputs = ModelFiles.children(table, "input").stream()
					.map(input -> input.getAttribute("label").isEmpty() ? ModelFiles.children(input, "inputExpression")
						.stream().flatMap(e -> ModelFiles.children(e, "text").stream()).map(ModelFiles::ownText)
						.findFirst().orElse(input.getAttribute("id")) : input.getAttribute("label"))
					.toList();
				List<String> outputs = ModelFiles.children(table, "output").stream()
					.map(output -> output.getAttribute("name").isEmpty() ? output.getAttribute("id")
							: output.getAttribute("name"))
					.toList();
				List<Rule> rules = ModelFiles.children(table, "rule").stream()
					.map(rule -> new Rule(rule.getAttribute("id"), entries(rule, "inputEntry"), entries(rule, "outputEntry")))
					.toList();
				String hitPolicy = table.getAttribute("hitPolicy").isEmpty() ? "UNIQUE" : table.getAttribute("hitPolicy");
				tables.put(decision.getAttribute("id"), new Table(decision.getAttribute("id"), hitPolicy, inputs, outputs,
						rules));
			}
		}
		return tables;
	}

	private static List<String> entries(Element rule, String kind) {
		return ModelFiles.children(rule, kind).stream()
			.map(entry -> ModelFiles.children(entry, "text").stream().map(ModelFiles::ownText).findFirst().orElse(""))
			.toList();
	}

	private static List<Finding> decisions(String file, Document previous, Document next) {
		List<Finding> findings = new ArrayList<>();
		Map<String, Table> before = tables(previous);
		Map<String, Table> after = tables(next);
		for (String id : union(before.keySet(), after.keySet())) {
			Table old = before.get(id);
			Table now = after.get(id);
			if (old == null) {
				findings.add(new Finding(file, "decision-added", id, "decision " + id + " added with "
						+ now.rules().size() + " rule(s)", true));
				continue;
			}
			if (now == null) {
				findings.add(new Finding(file, "decision-removed", id, "decision " + id + " removed", true));
				continue;
			}
			if (!old.hitPolicy().equals(now.hitPolicy())) {
				findings.add(new Finding(file, "hit-policy-changed", id, "decision " + id + ": hit policy "
						+ old.hitPolicy() + " -> " + now.hitPolicy(), true));
			}
			if (!old.inputLabels().equals(now.inputLabels()) || !old.outputNames().equals(now.outputNames())) {
				findings.add(new Finding(file, "columns-changed", id, "decision " + id + ": columns " + old.inputLabels()
						+ " -> " + old.outputNames() + " changed to " + now.inputLabels() + " -> " + now.outputNames(),
						true));
				continue;
			}
			rules(file, old, now, findings);
		}
		return findings;
	}

	private static void rules(String file, Table old, Table now, List<Finding> findings) {
		Map<String, Rule> before = old.rules().stream().collect(Collectors.toMap(Rule::id, r -> r, (a, b) -> a,
				LinkedHashMap::new));
		Map<String, Rule> after = now.rules().stream().collect(Collectors.toMap(Rule::id, r -> r, (a, b) -> a,
				LinkedHashMap::new));
		for (Rule rule : now.rules()) {
			if (!before.containsKey(rule.id())) {
				findings.add(new Finding(file, "rule-added", rule.id(), "rule " + rule.id() + " added: when "
						+ conditions(now, rule) + " then " + outcome(now, rule), true));
			}
		}
		for (Rule rule : old.rules()) {
			if (!after.containsKey(rule.id())) {
				// With the first match winning, a removed rule hands its cases to the next rule that matches.
				findings.add(new Finding(file, "rule-removed", rule.id(), "rule " + rule.id() + " removed (was: when "
						+ conditions(old, rule) + " then " + outcome(old, rule) + ")", true));
			}
		}
		List<String> oldOrder = old.rules().stream().map(Rule::id).filter(after::containsKey).toList();
		List<String> newOrder = now.rules().stream().map(Rule::id).filter(before::containsKey).toList();
		if (!oldOrder.equals(newOrder)) {
			findings.add(new Finding(file, "rule-order-changed", old.decision(), "decision " + old.decision()
					+ ": rules reordered (" + old.hitPolicy() + " hit policy: which rule matches first can change)",
					true));
		}
		for (Rule rule : now.rules()) {
			Rule previous = before.get(rule.id());
			if (previous == null) {
				continue;
			}
			for (int i = 0; i < rule.inputs().size() && i < previous.inputs().size(); i++) {
				if (!previous.inputs().get(i).equals(rule.inputs().get(i))) {
					findings.add(new Finding(file, "rule-condition-changed", rule.id(), "rule " + rule.id() + ": "
							+ now.inputLabels().get(i) + " " + shown(previous.inputs().get(i)) + " -> "
							+ shown(rule.inputs().get(i)), true));
				}
			}
			for (int i = 0; i < rule.outputs().size() && i < previous.outputs().size(); i++) {
				String was = previous.outputs().get(i);
				String is = rule.outputs().get(i);
				if (!was.equals(is)) {
					findings.add(output(file, rule.id(), now.outputNames().get(i), was, is));
				}
			}
		}
	}

	private static Finding output(String file, String rule, String column, String was, String is) {
		String detail = "rule " + rule + ": " + column + " " + shown(was) + " -> " + shown(is);
		if (column.equals("requiredApprovals")) {
			Integer before = integer(was);
			Integer after = integer(is);
			boolean lowered = before == null || after == null || after < before;
			return new Finding(file, lowered ? "quorum-lowered" : "quorum-raised", rule,
					detail + (lowered ? " (lowers the quorum)" : ""), lowered);
		}
		if (column.toLowerCase().endsWith("group")) {
			return new Finding(file, "group-changed", rule, detail + " (changes who approves)", true);
		}
		if (column.equals("containFirst")) {
			boolean enabled = is.equals("true");
			return new Finding(file, "rule-output-changed", rule, detail, enabled);
		}
		return new Finding(file, "rule-output-changed", rule, detail, false);
	}

	private static String conditions(Table table, Rule rule) {
		List<String> parts = new ArrayList<>();
		for (int i = 0; i < rule.inputs().size() && i < table.inputLabels().size(); i++) {
			if (!rule.inputs().get(i).isBlank()) {
				parts.add(table.inputLabels().get(i) + " " + rule.inputs().get(i));
			}
		}
		return parts.isEmpty() ? "anything" : String.join(", ", parts);
	}

	private static String outcome(Table table, Rule rule) {
		List<String> parts = new ArrayList<>();
		for (int i = 0; i < rule.outputs().size() && i < table.outputNames().size(); i++) {
			if (!rule.outputs().get(i).isBlank()) {
				parts.add(table.outputNames().get(i) + " " + rule.outputs().get(i));
			}
		}
		return String.join(", ", parts);
	}

	// ---- BPMN ------------------------------------------------------------------------------------------------------

	/** Elements that decide who approves or what runs: changing or removing one can open a way around the gate. */
	private static final Set<String> GUARDING = Set.of("callActivity", "userTask", "serviceTask", "businessRuleTask",
			"boundaryEvent", "exclusiveGateway", "sequenceFlow", "process");

	private static List<Finding> processes(String file, Document previous, Document next) {
		Map<String, Element> before = identified(previous);
		Map<String, Element> after = identified(next);
		List<Finding> findings = new ArrayList<>();
		for (String id : union(before.keySet(), after.keySet())) {
			Element old = before.get(id);
			Element now = after.get(id);
			if (old == null) {
				findings.add(new Finding(file, "element-added", id, now.getLocalName() + " " + id + named(now) + " added",
						false));
			}
			else if (now == null) {
				findings.add(new Finding(file, "element-removed", id, old.getLocalName() + " " + id + named(old)
						+ " removed", GUARDING.contains(old.getLocalName())));
			}
			else if (!signature(old).equals(signature(now))) {
				findings.add(new Finding(file, "element-changed", id, now.getLocalName() + " " + id + named(now)
						+ " changed" + attributeChanges(old, now), GUARDING.contains(now.getLocalName())));
			}
		}
		return findings;
	}

	/** Every element of the process model with an id; the diagram (DI) only draws them. */
	private static Map<String, Element> identified(Document document) {
		Map<String, Element> elements = new TreeMap<>();
		collect(document.getDocumentElement(), elements);
		return elements;
	}

	private static void collect(Element element, Map<String, Element> elements) {
		if (!ModelFiles.BPMN_NAMESPACE.equals(element.getNamespaceURI())) {
			return;
		}
		if (!element.getAttribute("id").isEmpty() && element != element.getOwnerDocument().getDocumentElement()) {
			elements.putIfAbsent(element.getAttribute("id"), element);
		}
		ModelFiles.children(element).forEach(child -> collect(child, elements));
	}

	/** The element's attributes, own text and children without ids (extension elements, conditions), recursively. */
	private static String signature(Element element) {
		StringBuilder signature = new StringBuilder(element.getNamespaceURI() + ":" + element.getLocalName());
		attributes(element).forEach((name, value) -> signature.append(' ').append(name).append('=').append(value));
		signature.append(" [").append(ModelFiles.ownText(element)).append(']');
		for (Element child : ModelFiles.children(element)) {
			if (child.getAttribute("id").isEmpty() || !ModelFiles.BPMN_NAMESPACE.equals(child.getNamespaceURI())) {
				signature.append(" {").append(signature(child)).append('}');
			}
			else {
				signature.append(" {").append(child.getAttribute("id")).append('}');
			}
		}
		return signature.toString();
	}

	private static Map<String, String> attributes(Element element) {
		Map<String, String> attributes = new TreeMap<>();
		NamedNodeMap map = element.getAttributes();
		for (int i = 0; i < map.getLength(); i++) {
			Attr attribute = (Attr) map.item(i);
			if (!"http://www.w3.org/2000/xmlns/".equals(attribute.getNamespaceURI())) {
				String name = attribute.getLocalName() == null ? attribute.getName() : attribute.getLocalName();
				attributes.put(name, attribute.getValue());
			}
		}
		return attributes;
	}

	private static String attributeChanges(Element old, Element now) {
		Map<String, String> before = attributes(old);
		Map<String, String> after = attributes(now);
		List<String> changes = new ArrayList<>();
		for (String name : union(before.keySet(), after.keySet())) {
			if (!Objects.equals(before.get(name), after.get(name))) {
				changes.add(name + " " + shown(before.get(name)) + " -> " + shown(after.get(name)));
			}
		}
		return changes.isEmpty() ? " (content)" : " (" + String.join(", ", changes) + ")";
	}

	private static String named(Element element) {
		return element.getAttribute("name").isEmpty() ? "" : " '" + element.getAttribute("name") + "'";
	}

	// ---- Forms -----------------------------------------------------------------------------------------------------

	private static List<Finding> form(String file, JsonNode previous, JsonNode next) {
		if (previous.equals(next)) {
			return List.of();
		}
		Set<String> before = keys(previous);
		Set<String> after = keys(next);
		List<Finding> findings = new ArrayList<>();
		for (String key : union(before, after)) {
			if (!before.contains(key)) {
				findings.add(new Finding(file, "field-added", key, "field " + key + " added", false));
			}
			else if (!after.contains(key)) {
				findings.add(new Finding(file, "field-removed", key, "field " + key + " removed", false));
			}
		}
		if (findings.isEmpty()) {
			findings.add(new Finding(file, "form-changed", file, "layout or labels changed", false));
		}
		return findings;
	}

	private static Set<String> keys(JsonNode form) {
		Set<String> keys = new LinkedHashSet<>();
		Iterator<JsonNode> components = form.path("components").elements();
		while (components.hasNext()) {
			JsonNode component = components.next();
			if (component.hasNonNull("key")) {
				keys.add(component.get("key").asText());
			}
			keys.addAll(keys(component));
		}
		return keys;
	}

	// ---- helpers ---------------------------------------------------------------------------------------------------

	private static Set<String> union(Set<String> one, Set<String> other) {
		Set<String> all = new java.util.TreeSet<>(one);
		all.addAll(other);
		return all;
	}

	private static Integer integer(String text) {
		try {
			return Integer.valueOf(text.strip());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static String shown(String value) {
		return value == null || value.isEmpty() ? "(empty)" : value.length() > 80 ? value.substring(0, 77) + "..." : value;
	}

}
