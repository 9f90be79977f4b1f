package io.countersign.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricDetail;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Secret material never lands in Countersign (issue 14, §4): a credential is rotated end to end through the API and
 * Tasklist's decision call, the new secret is read from the file sink, and it is then looked for everywhere
 * Countersign writes: every table of the database, the ledger export, every API answer of the run, the process
 * variables with their history, and the application's log. It is in none of them; its fingerprint is.
 */
@HttpIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class SecretMaterialAbsenceIntegrationTest {

	/** The sink's directory, of this test class only: the test reads what consumers would read. */
	static final Path SECRETS = temporaryDirectory();

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	HistoryService historyService;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DataSource dataSource;

	ApiClient api;

	final String identity = "svc-absence-" + UUID.randomUUID();

	final String credential = "key-absence-" + UUID.randomUUID();

	/** Every answer the run got, as received. */
	final List<String> answers = new ArrayList<>();

	@DynamicPropertySource
	static void sink(DynamicPropertyRegistry registry) {
		registry.add("countersign.secrets.sink", () -> "file");
		registry.add("countersign.secrets.file.directory", SECRETS::toString);
	}

	@AfterAll
	static void deleteSecrets() throws IOException {
		try (Stream<Path> files = Files.walk(SECRETS)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
	}

	@BeforeEach
	void registerIdentity() {
		this.api = new ApiClient(this.port);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "payments-team", "environment", "staging", "privileges", List.of("payments:read"),
						"credentials", List.of(Map.of("id", this.credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 of " + this.credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	@Test
	void shouldKeepTheNewSecretOutOfTheDatabaseLedgerAnswersVariablesAndLog(CapturedOutput output) throws Exception {
		String id = rotateAndApproveThroughTasklist();
		JsonNode done = this.api.awaitResponseStatus("scanner", id, "COMPLETED");
		this.answers.add(done.toString());
		this.answers.add(get("scanner", "/api/v1/responses?playbook=secret-rotation&size=100"));
		String identityJson = get("scanner", "/api/v1/identities/" + this.identity);
		this.answers.add(identityJson);

		String material = Files.readString(SECRETS.resolve("inventory").resolve(this.credential));
		assertThat(material).hasSize(43);
		JsonNode version = versionTwo(identityJson);
		assertThat(version.path("status").asText()).isEqualTo("ACTIVE");
		String fingerprint = StagedAction.sha256(material);
		assertThat(version.path("fingerprint").asText()).isEqualTo(fingerprint);

		List<String> forms = forms(material);
		String tables = everyTable();
		assertThat(tables).as("the dump holds the run (control)").contains(this.credential).contains(fingerprint);
		assertNoneIn("the database", tables, forms);
		String ledger = get("audrey", "/api/v1/audit?after=0&limit=5000");
		assertThat(ledger).as("the export holds the run (control)").contains(id);
		assertNoneIn("the ledger export", ledger, forms);
		assertNoneIn("the response's ledger", get("audrey", "/api/v1/audit?response=" + id), forms);
		assertNoneIn("the API answers", String.join("\n", this.answers), forms);
		String variables = processVariables(id);
		assertThat(variables).as("the variables of the run (control)").contains("credential.rotate");
		assertNoneIn("the process variables and their history", variables, forms);
		String log = output.getAll();
		assertThat(log).as("the log was captured (control)")
			.contains("Delivered the new secret of " + this.credential);
		assertNoneIn("the log", log, forms);
	}

	@Test
	void shouldRollTheRotationBackAndKeepTheOldVersionWhenTheSinkCannotTakeTheSecret() throws Exception {
		// What the consumers read is a non-empty directory: the sink cannot replace it (not even as root).
		Path blocked = SECRETS.resolve("inventory").resolve(this.credential);
		Files.createDirectories(blocked);
		Files.writeString(blocked.resolve("keep"), "not a secret");

		String id = rotateAndApproveThroughTasklist();

		JsonNode rolledBack = this.api.awaitResponseStatus("scanner", id, "ROLLED_BACK");
		assertThat(rolledBack.path("timeline").findValuesAsText("type")).containsSubsequence("APPLYING", "RESTORED",
				"ROLLED_BACK");
		JsonNode credential = this.api.get("scanner", "/api/v1/identities/" + this.identity)
			.json()
			.path("credentials")
			.get(0);
		assertThat(credential.path("currentVersion").asInt()).isEqualTo(1);
		assertThat(credential.path("versions")).hasSize(1);
		assertThat(credential.path("versions").get(0).path("status").asText()).isEqualTo("ACTIVE");
		assertThat(get("audrey", "/api/v1/audit?response=" + id)).contains("could not be delivered");
		assertThat(blocked.resolve("keep")).hasContent("not a secret");
	}

	/** Starts a rotation as the scanner, and approves it as bob the way Tasklist does: form variables, submit-form. */
	private String rotateAndApproveThroughTasklist() {
		Reply started = this.api.post("scanner", "/api/v1/responses",
				Map.of("playbook", "secret-rotation", "identity", this.identity, "credential", this.credential,
						"summary", "Key seen in a public gist", "source", "gist-scanner", "severity", "high",
						"environment", "staging"));
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		this.answers.add(started.body());
		String id = started.json().path("id").asText();
		JsonNode awaiting = this.api.awaitResponseStatus("bob", id, "AWAITING_APPROVAL");
		this.answers.add(awaiting.toString());
		Reply tasks = this.api.get("bob", engineRest("/task?processInstanceBusinessKey=" + id));
		assertThat(tasks.json()).as(tasks.toString()).hasSize(1);
		this.answers.add(tasks.body());
		String task = tasks.json().get(0).path("id").asText();
		this.answers.add(get("bob", engineRest("/task/" + task + "/form-variables")));
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put("decision", Map.of("value", "APPROVE"));
		variables.put("reason", Map.of("value", "Consumers read the sink"));
		variables.put("approvedFingerprint", Map.of("value", awaiting.path("stagedAction").path("fingerprint").asText()));
		Reply submitted = this.api.post("bob", engineRest("/task/" + task + "/submit-form"),
				Map.of("variables", variables));
		assertThat(submitted.status()).as(submitted.toString()).isIn(200, 204);
		this.answers.add(submitted.body());
		return id;
	}

	/** The material as text, and as the bytes a binary column or a serialised value would hold. */
	private static List<String> forms(String material) {
		byte[] bytes = material.getBytes(StandardCharsets.UTF_8);
		String hex = HexFormat.of().formatHex(bytes);
		return List.of(material, hex, hex.toUpperCase(Locale.ROOT), Base64.getEncoder().encodeToString(bytes));
	}

	private static void assertNoneIn(String where, String text, List<String> forms) {
		for (String form : forms) {
			assertThat(text.contains(form)).as("the new secret (or its encoding) in " + where).isFalse();
		}
	}

	/**
	 * Every row of every table, as text: H2's {@code SCRIPT} (binary columns as hex), or on PostgreSQL every text,
	 * JSON and binary column of every table of ours and the engine's.
	 */
	private String everyTable() throws SQLException {
		String product;
		try (Connection connection = this.dataSource.getConnection()) {
			product = connection.getMetaData().getDatabaseProductName();
		}
		if (product.toLowerCase(Locale.ROOT).contains("h2")) {
			return String.join("\n", this.jdbc.sql("SCRIPT").query((rs, n) -> rs.getString(1)).list());
		}
		StringBuilder all = new StringBuilder();
		List<Map<String, Object>> columns = this.jdbc.sql("""
				select table_schema, table_name, column_name, data_type from information_schema.columns
				where table_schema not in ('pg_catalog', 'information_schema')
				  and data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')""")
			.query()
			.listOfRows();
		for (Map<String, Object> column : columns) {
			String name = quote(column.get("table_schema")) + "." + quote(column.get("table_name"));
			String value = quote(column.get("column_name"));
			// Binary columns as hex and escaped (printable bytes as they are), so either encoding of it would show.
			String select = "bytea".equals(column.get("data_type"))
					? "select encode(" + value + ", 'hex') || ' ' || encode(" + value + ", 'escape') from " + name
							+ " where " + value + " is not null"
					: "select " + value + "::text from " + name + " where " + value + " is not null";
			this.jdbc.sql(select).query((rs, n) -> rs.getString(1)).list().forEach(row -> all.append(row).append('\n'));
		}
		return all.toString();
	}

	private static String quote(Object identifier) {
		return '"' + identifier.toString().replace("\"", "\"\"") + '"';
	}

	/** Every variable of every instance, runtime and history, with every value each ever had. */
	private String processVariables(String responseId) {
		StringBuilder all = new StringBuilder();
		for (HistoricVariableInstance variable : this.historyService.createHistoricVariableInstanceQuery().list()) {
			all.append(variable.getName()).append('=').append(variable.getValue()).append('\n');
		}
		for (HistoricDetail detail : this.historyService.createHistoricDetailQuery().variableUpdates().list()) {
			HistoricVariableUpdate update = (HistoricVariableUpdate) detail;
			all.append(update.getVariableName()).append('=').append(update.getValue()).append('\n');
		}
		this.processEngine.getRuntimeService()
			.createVariableInstanceQuery()
			.list()
			.forEach(variable -> all.append(variable.getName()).append('=').append(variable.getValue()).append('\n'));
		all.append(get("admin", engineRest("/history/variable-instance?deserializeValues=false")));
		all.append(get("admin", engineRest("/history/detail?deserializeValues=false")));
		return all.toString();
	}

	private JsonNode versionTwo(String identityJson) throws IOException {
		JsonNode credential = new com.fasterxml.jackson.databind.ObjectMapper().readTree(identityJson)
			.path("credentials")
			.get(0);
		assertThat(credential.path("currentVersion").asInt()).isEqualTo(2);
		for (JsonNode version : credential.path("versions")) {
			if (version.path("version").asInt() == 2) {
				return version;
			}
		}
		throw new AssertionError("no version 2 in " + credential);
	}

	private String get(String user, String path) {
		Reply reply = this.api.get(user, path);
		assertThat(reply.status()).as(path + ": " + reply).isEqualTo(200);
		return reply.body();
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("countersign-absence-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
