package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.ApplicationProcess;
import io.countersign.support.PostgresTestDatabase;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} right after decisions were confirmed: every confirmed approval and rejection is there after the
 * restart, each approved action is applied exactly once, and the applies the dead node had picked up finish within
 * the job lock time. The application runs in a JVM of its own so that it can really be killed; on H2 it runs with no
 * database setting at all, so the default URL of {@code application.yaml} is what is proven durable.
 */
class ConfirmedDecisionCrashIntegrationTest {

	/** Short for the test; the shipped default is 2 minutes. The bound the restarted node must finish within. */
	private static final Duration LOCK_TIME = Duration.ofSeconds(20);

	private static final int DECISIONS = 8;

	@Test
	void shouldKeepEveryConfirmedDecisionOnH2AfterKillNine() throws Exception {
		crashAndRestart(List.of());
	}

	@Test
	void shouldKeepEveryConfirmedDecisionOnPostgresAfterKillNine() throws Exception {
		try (PostgresTestDatabase database = new PostgresTestDatabase()) {
			List<String> arguments = new ArrayList<>(List.of("--spring.profiles.active=postgres"));
			arguments.addAll(List.of(database.dataSourceArguments()));
			crashAndRestart(arguments);
		}
	}

	private void crashAndRestart(List<String> arguments) throws Exception {
		Path directory = ApplicationProcess.temporaryDirectory("countersign-crash-");
		Map<String, String> environment = Map.of("COUNTERSIGN_JOB_LOCK_TIME_MS", String.valueOf(LOCK_TIME.toMillis()),
				"COUNTERSIGN_JOB_MAX_WAIT_MS", "1000");
		Map<String, String> decided = new LinkedHashMap<>();
		Map<String, String> identities = new LinkedHashMap<>();
		try (ApplicationProcess first = ApplicationProcess.start(directory, environment, arguments)) {
			ApiClient api = first.api();
			List<String> responses = new ArrayList<>();
			for (int i = 0; i < DECISIONS; i++) {
				String identity = "svc-crash-" + UUID.randomUUID();
				String id = awaitingApproval(api, identity);
				responses.add(id);
				identities.put(id, identity);
			}
			for (int i = 0; i < responses.size(); i++) {
				String id = responses.get(i);
				// Every third one rejected: a lost rejection would re-open what a person refused.
				String decision = (i % 3 == 1) ? "REJECT" : "APPROVE";
				Reply reply = api.post("bob", "/api/v1/responses/" + id + "/decision", Map.of("decision", decision,
						"reason", "crash test " + decision, "fingerprint", fingerprint(api, id)));
				assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
				decided.put(id, decision);
			}
			// Right after the last confirmation: applies of the last approvals are still queued or running.
			first.kill();
		}

		try (ApplicationProcess second = ApplicationProcess.start(directory, environment, arguments)) {
			ApiClient api = second.api();
			long restarted = System.nanoTime();
			for (Map.Entry<String, String> entry : decided.entrySet()) {
				String id = entry.getKey();
				JsonNode response = api.get("scanner", "/api/v1/responses/" + id).json();
				assertThat(response.path("decisions").findValuesAsText("decision")).as("decisions of %s", id)
					.containsExactly(entry.getValue());
				assertThat(response.path("decisions").findValuesAsText("approver")).containsExactly("bob");
			}
			for (Map.Entry<String, String> entry : decided.entrySet()) {
				String id = entry.getKey();
				boolean approved = entry.getValue().equals("APPROVE");
				String end = approved ? "COMPLETED" : "REJECTED";
				// The dead node's job locks expire after LOCK_TIME; then the next acquisition takes them over.
				Awaitility.await()
					.atMost(LOCK_TIME.plusSeconds(40))
					.pollInterval(Duration.ofMillis(500))
					.untilAsserted(() -> assertThat(api.get("scanner", "/api/v1/responses/" + id).json().path("status")
						.asText()).as("%s after restart:\n%s", id, second.logTail()).isEqualTo(end));
				JsonNode identity = api.get("scanner", "/api/v1/identities/" + identities.get(id)).json();
				assertThat(identity.path("credentials").get(0).path("currentVersion").asInt()).as(id)
					.isEqualTo(approved ? 2 : 1);
				List<String> types = ledgerTypes(api, id);
				assertThat(types.stream().filter("APPLIED"::equals).count()).as("%s ledger %s", id, types)
					.isEqualTo(approved ? 1 : 0);
			}
			assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(LOCK_TIME.plusSeconds(60));
		}
	}

	private static String awaitingApproval(ApiClient api, String identity) {
		String credential = "key-" + identity;
		Reply upsert = api.put("scanner", "/api/v1/identities/" + identity, Map.of("owner", "payments-team",
				"environment", "production", "privileges", List.of("repo:write"), "credentials",
				List.of(Map.of("id", credential, "kind", "API_KEY", "fingerprint", StagedAction.sha256("v1 " + credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Reply started = api.post("scanner", "/api/v1/responses", Map.of("playbook", "secret-rotation", "identity",
				identity, "credential", credential, "summary", "Key seen in a public gist", "source", "gist-scanner",
				"severity", "high", "environment", "production", "evidence", Map.of("url", "https://gist.example/1")));
		assertThat(started.status()).as(started.toString()).isIn(200, 202);
		String id = started.json().path("id").asText();
		api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		return id;
	}

	private static String fingerprint(ApiClient api, String id) {
		return api.get("scanner", "/api/v1/responses/" + id).json().path("stagedAction").path("fingerprint").asText();
	}

	private static List<String> ledgerTypes(ApiClient api, String id) {
		Reply reply = api.get("audrey", "/api/v1/audit?response=" + id);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		List<String> types = new ArrayList<>();
		for (String line : reply.body().split("\n")) {
			if (!line.isBlank()) {
				types.add(new Reply(200, "application/json", line).json().path("type").asText());
			}
		}
		return types;
	}

}
