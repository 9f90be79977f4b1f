package io.countersign.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.countersign.engine.EngineRestAllowList.Caller;
import io.countersign.engine.EngineRestAllowList.Entry;
import io.countersign.engine.EngineRestAllowListFilter.Root;
import io.countersign.engine.EngineRestAllowListFilter.Target;
import io.countersign.engine.EngineRestSurface.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The allow-list is one list in three places: {@code docs/engine-rest.md}, {@link EngineRestAllowList}, and what
 * engine-rest 7.24 actually serves. These tests keep them in step, and check that a path is read the one way engine-rest
 * reads it.
 */
class EngineRestAllowListTest {

	private static final Path DOC = Path.of("docs", "engine-rest.md");

	private static final List<Root> ROOTS = List.of(Root.of("/engine-rest", false), Root.of("/camunda/api/engine", true));

	@Test
	void shouldDocumentExactlyTheEndpointsTheCodeAllows() throws IOException {
		Set<String> documented = new TreeSet<>(documentedRows());
		Set<String> coded = EngineRestAllowList.ENTRIES.stream()
			.map(EngineRestAllowListTest::row)
			.collect(Collectors.toCollection(TreeSet::new));

		assertThat(documented).as("rows of docs/engine-rest.md, 'Allowed endpoints'").isEqualTo(coded);
		assertThat(documentedRows()).as("no row twice").doesNotHaveDuplicates();
		assertThat(EngineRestAllowList.ENTRIES).extracting(Entry::toString).doesNotHaveDuplicates();
	}

	@Test
	void shouldNameOnlyEndpointsThatEngineRestServes() {
		Set<Endpoint> surface = EngineRestSurface.endpoints();
		assertThat(surface).as("engine-rest read from its annotations").hasSizeGreaterThan(400);

		assertThat(EngineRestAllowList.ENTRIES.stream().filter(entry -> !surface.contains(endpoint(entry))))
			.as("entries that are no endpoint of engine-rest 7.24")
			.isEmpty();
	}

	/**
	 * Each endpoint of engine-rest, called with a plain value in each path variable, is let through exactly when the list
	 * names it: a pattern of the list reaches no other endpoint, e.g. {@code GET /task/{id}} also reaches
	 * {@code GET /task/count}, which is why that one is listed too.
	 */
	@Test
	void shouldReachNoEndpointTheListDoesNotName() {
		Set<Endpoint> listed = EngineRestAllowList.ENTRIES.stream()
			.map(EngineRestAllowListTest::endpoint)
			.collect(Collectors.toSet());
		List<String> wrong = new ArrayList<>();
		for (Endpoint endpoint : EngineRestSurface.endpoints()) {
			List<String> concrete = EngineRestAllowList.segments(endpoint.path().replace("{}", "x1"));
			if (EngineRestAllowList.permits(endpoint.method(), concrete) != listed.contains(endpoint)) {
				wrong.add(endpoint.toString());
			}
		}

		assertThat(wrong).as("endpoints let through but not listed, or listed but refused").isEmpty();
	}

	/**
	 * A write of the list cannot be turned into another write by choosing a path variable: no other endpoint with the
	 * same method has a path that the pattern's variables could spell.
	 */
	@Test
	void shouldLetNoWritePatternReachAnotherEndpoint() {
		List<String> overlaps = new ArrayList<>();
		for (Entry entry : EngineRestAllowList.ENTRIES) {
			if (entry.method().equals("GET")) {
				continue;
			}
			for (Endpoint endpoint : EngineRestSurface.endpoints()) {
				if (endpoint.method().equals(entry.method()) && !endpoint.equals(endpoint(entry))
						&& unifiable(entry.segments(), EngineRestAllowList.segments(endpoint.path()))) {
					overlaps.add(entry + " could reach " + endpoint);
				}
			}
		}

		assertThat(overlaps).isEmpty();
	}

	/** At least one call of each row of "Closed on purpose", as an attacker would send it. */
	@ParameterizedTest
	@ValueSource(strings = { "POST /deployment/create", "POST /deployment/d1/redeploy", "DELETE /deployment/d1",
			"POST /process-definition/key/secret-rotation/start", "POST /process-definition/p1/start",
			"POST /process-definition/key/secret-rotation/submit-form", "POST /process-definition/p1/restart",
			"POST /process-instance/i1/modification", "POST /process-instance/i1/modification-async",
			"POST /modification/execute", "PUT /process-instance/i1/variables/decision",
			"POST /process-instance/i1/variables", "DELETE /process-instance/i1/variables/decision",
			"PUT /execution/e1/localVariables/decision", "POST /execution/e1/localVariables",
			"PUT /task/t1/variables/decision", "POST /task/t1/variables", "PUT /task/t1/localVariables/decision",
			"POST /process-instance/variables-async", "DELETE /history/variable-instance/v1",
			"POST /execution/e1/signal", "POST /execution/e1/messageSubscriptions/m1/trigger", "POST /message",
			"POST /signal", "POST /condition", "POST /process-instance/message-async",
			"PUT /process-definition/p1/suspended", "PUT /process-definition/suspended",
			"PUT /process-instance/i1/suspended", "PUT /job-definition/j1/suspended", "PUT /job-definition/suspended",
			"PUT /job/j1/suspended", "PUT /batch/b1/suspended", "POST /process-instance/suspended-async",
			"DELETE /process-instance/i1", "POST /process-instance/delete", "DELETE /process-definition/p1",
			"POST /external-task/fetchAndLock", "POST /external-task/x1/complete", "POST /external-task",
			"POST /migration/execute", "POST /migration/executeAsync", "DELETE /batch/b1",
			"POST /process-instance/job-retries", "DELETE /history/process-instance/i1",
			"POST /history/process-instance/delete", "POST /history/process-instance/set-removal-time",
			"POST /history/cleanup", "PUT /job/j1/duedate", "POST /job/j1/execute", "DELETE /job/j1",
			"PUT /job-definition/j1/retries", "POST /job/retries", "POST /filter/create", "PUT /filter/f1",
			"DELETE /filter/f1", "POST /task/t1/identity-links", "POST /task/t1/identity-links/delete", "PUT /task/t1",
			"POST /task/t1/delegate", "POST /task/t1/resolve", "POST /task/t1/bpmnError", "POST /task/t1/bpmnEscalation",
			"POST /task/create", "DELETE /task/t1", "POST /task/t1/comment/create", "POST /task/t1/attachment/create",
			"POST /decision-definition/key/approval-policy/evaluate", "POST /tenant/create", "PUT /tenant/t1",
			"PUT /tenant/t1/user-members/alice", "GET /telemetry/data", "POST /telemetry/configuration",
			"GET /schema/log", "DELETE /metrics/task-worker", "GET /optimize/process-instance/completed", "GET /version",
			"PUT /incident/i1/annotation", "POST /identity/verify", "HEAD /task", "OPTIONS /task", "GET /engine/default" })
	void shouldRefuseWhatThisDeploymentKeepsClosed(String call) {
		String[] parts = call.split(" ", 2);

		assertThat(EngineRestAllowList.permits(parts[0], EngineRestAllowList.segments(parts[1]))).isFalse();
	}

	@Test
	void shouldReadTheEnginePathBelowEitherRoot() {
		assertThat(target("/engine-rest/task")).containsExactly("task");
		assertThat(target("/engine-rest/task/")).containsExactly("task");
		assertThat(target("/engine-rest/engine/default/task/t1/complete")).containsExactly("task", "t1", "complete");
		assertThat(target("/engine-rest/engine")).containsExactly("engine");
		assertThat(target("/camunda/api/engine/engine/")).containsExactly("engine");
		assertThat(target("/camunda/api/engine/engine/default/task/t1/form")).containsExactly("task", "t1", "form");
		assertThat(target("/engine-rest/user/first%20last/profile")).containsExactly("user", "first last", "profile");
	}

	/** Jersey decodes a path segment before it routes: so does the allow-list, and refuses what it then names. */
	@Test
	void shouldDecodeSegmentsAsEngineRestDoes() {
		List<String> segments = target("/engine-rest/%64eployment/cr%65ate");

		assertThat(segments).containsExactly("deployment", "create");
		assertThat(EngineRestAllowList.permits("POST", segments)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/engine-rest", "/engine-rest/", "/engine-rest/engine/default",
			"/camunda/api/engine/task", "/camunda/api/engine", "/engine-rest//task",
			"/engine-rest/task;jsessionid=1/t1", "/engine-rest/task/t1/../../deployment/create",
			"/engine-rest/./deployment/create", "/engine-rest/task/%2e%2e/deployment", "/engine-rest/task%2Fcount",
			"/engine-rest/task%5ccount", "/engine-rest/task\\count", "/engine-rest/task%3bx/count",
			"/engine-rest/task%2564", "/engine-rest/task%zz", "/engine-rest/task/%00" })
	void shouldRefuseAmbiguousOrEmptyPaths(String path) {
		Target target = EngineRestAllowListFilter.target(path, ROOTS);

		assertThat(target).isNotNull();
		assertThat(target.segments()).isNull();
	}

	@Test
	void shouldRefuseAPathUnderNoRoot() {
		assertThat(EngineRestAllowListFilter.target("/api/v1/responses", ROOTS)).isNull();
	}

	private static List<String> target(String path) {
		Target target = EngineRestAllowListFilter.target(path, ROOTS);
		assertThat(target).as(path).isNotNull();
		return target.segments();
	}

	/** Could one concrete path fit both? Equal literals, or a variable on either side. */
	private static boolean unifiable(List<String> pattern, List<String> endpoint) {
		if (pattern.size() != endpoint.size()) {
			return false;
		}
		for (int i = 0; i < pattern.size(); i++) {
			String a = pattern.get(i);
			String b = endpoint.get(i);
			if (!a.startsWith("{") && !b.startsWith("{") && !a.equals(b)) {
				return false;
			}
		}
		return true;
	}

	private static Endpoint endpoint(Entry entry) {
		return new Endpoint(entry.method(), EngineRestSurface.normalise(entry.path()));
	}

	private static String row(Entry entry) {
		String callers = Arrays.stream(Caller.values())
			.filter(entry.callers()::contains)
			.map(Caller::label)
			.collect(Collectors.joining(", "));
		return entry.method() + " " + entry.path() + " | " + callers;
	}

	/** "METHOD path | callers" of each row of the table under "## Allowed endpoints". */
	private static List<String> documentedRows() throws IOException {
		List<String> rows = new ArrayList<>();
		boolean inSection = false;
		for (String line : Files.readAllLines(DOC)) {
			if (line.startsWith("## ")) {
				inSection = line.equals("## Allowed endpoints");
				continue;
			}
			if (inSection && line.startsWith("| `")) {
				String[] cells = line.split("\\|");
				String method = unquote(cells[1]);
				String path = unquote(cells[2]);
				Set<String> callers = new LinkedHashSet<>();
				for (String caller : cells[3].split(",")) {
					callers.add(caller.strip());
				}
				rows.add(method + " " + path + " | " + String.join(", ", callers));
			}
		}
		assertThat(rows).as("rows found in " + DOC).isNotEmpty();
		return rows;
	}

	private static String unquote(String cell) {
		String stripped = cell.strip();
		assertThat(stripped).startsWith("`").endsWith("`");
		return stripped.substring(1, stripped.length() - 1);
	}

}
