package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The approval card is one source: {@code forms/card/approval-card.json} holds the components every approval form
 * shares (the card's head, its impact row, the details), and each form carries them unchanged, in place. A form stays
 * a complete Camunda Form (Modeler opens it, a model change deploys it alone); this test keeps the copies identical.
 * It also holds every form to the card's rules: read-only values are text, not disabled inputs, and text views
 * template only the server's escaped {@code card*} facts, never a raw variable an integrator's value could format.
 */
class ApprovalFormsTest {

	private static final Path FORMS = Path.of("forms");

	private static final List<String> GATE_FORMS = List.of("approval-gate", "credential-revocation",
			"federation-disable", "identity-quarantine", "privilege-reduction", "workload-isolation");

	private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(.*?)\\s*}}");

	/** The agent review's own facts (io.countersign.agent.AgentReviewFormFacts). */
	private static final Set<String> AGENT_FACTS = Set.of("cardPurpose", "cardArguments", "cardRequestHash");

	private final ObjectMapper json = new ObjectMapper();

	static Stream<String> gateForms() {
		return GATE_FORMS.stream();
	}

	static Stream<Path> allForms() throws IOException {
		return Files.list(FORMS).filter(path -> path.toString().endsWith(".form")).sorted();
	}

	@ParameterizedTest
	@MethodSource("gateForms")
	void shouldCarryTheSharedCardUnchangedAtTheTopAndTheDetailsAtTheBottom(String form) throws IOException {
		JsonNode card = card();
		List<JsonNode> components = components(read(form));
		List<JsonNode> top = new ArrayList<>(list(card.path("head")));
		top.addAll(list(card.path("impact")));
		List<JsonNode> details = list(card.path("details"));

		assertThat(components.subList(0, top.size())).as(form + ": the card's head and impact, as in approval-card.json")
			.isEqualTo(top);
		assertThat(components.subList(components.size() - details.size(), components.size()))
			.as(form + ": the card's details, as in approval-card.json")
			.isEqualTo(details);
		// The decision the gate reads, on every channel.
		assertThat(keyOf(components, "Field_Decision")).isEqualTo("decision");
		assertThat(keyOf(components, "Field_Reason")).isEqualTo("reason");
		assertThat(components).anyMatch(c -> "approvedFingerprint".equals(c.path("key").asText())
				&& "=actionFingerprint".equals(c.path("expression").asText()));
	}

	@ParameterizedTest
	@ValueSource(strings = "agent-tool-review")
	void shouldOpenTheAgentReviewWithTheSameHead(String form) throws IOException {
		List<JsonNode> components = components(read(form));
		List<JsonNode> head = list(card().path("head"));
		assertThat(components.subList(0, head.size())).isEqualTo(head);
		assertThat(keyOf(components, "Field_Decision")).isEqualTo("decision");
	}

	@ParameterizedTest
	@MethodSource("allForms")
	void shouldShowReadOnlyValuesAsTextAndTemplateOnlyEscapedFacts(Path file) throws IOException {
		Set<String> facts = serverFacts();
		for (JsonNode component : components(this.json.readTree(file.toFile()))) {
			String id = component.path("id").asText();
			if (!GATE_FORMS.contains(name(file)) && !"agent-tool-review".equals(name(file))) {
				continue;
			}
			assertThat(component.path("disabled").asBoolean()).as(file + " " + id + " is a disabled input").isFalse();
			if ("text".equals(component.path("type").asText())) {
				Matcher templated = TEMPLATE.matcher(component.path("text").asText());
				while (templated.find()) {
					assertThat(facts).as(file + " " + id + " templates '" + templated.group(1) + "'")
						.contains(templated.group(1));
				}
			}
			String hide = component.path("conditional").path("hide").asText("");
			if (hide.contains("card")) {
				assertThat(hide).as(file + " " + id).matches("=card[A-Za-z]+ = null");
			}
		}
	}

	private static Set<String> serverFacts() {
		Set<String> names = Arrays.stream(CardFacts.class.getDeclaredFields())
			.filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == String.class)
			.map(ApprovalFormsTest::value)
			.collect(Collectors.toSet());
		names.addAll(AGENT_FACTS);
		return names;
	}

	private static String value(Field field) {
		try {
			return (String) field.get(null);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private JsonNode card() throws IOException {
		return this.json.readTree(FORMS.resolve("card").resolve("approval-card.json").toFile());
	}

	private JsonNode read(String form) throws IOException {
		return this.json.readTree(FORMS.resolve(form + ".form").toFile());
	}

	private static List<JsonNode> components(JsonNode form) {
		return list(form.path("components"));
	}

	private static List<JsonNode> list(JsonNode array) {
		List<JsonNode> items = new ArrayList<>();
		array.forEach(items::add);
		return items;
	}

	private static String keyOf(List<JsonNode> components, String id) {
		return components.stream()
			.filter(c -> id.equals(c.path("id").asText()))
			.map(c -> c.path("key").asText())
			.findFirst()
			.orElse(null);
	}

	private static String name(Path file) {
		return file.getFileName().toString().replace(".form", "");
	}

}
