package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
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

	/**
	 * The apply of an approved revocation is inside its webhook call (the receiver has the request and has not answered)
	 * when the node is killed. The restarted node takes the job over once the dead node's lock expires and finishes it
	 * within the lock time, with the same idempotency key, so the receiver can tell the retry from a second action.
	 */
	@Test
	void shouldFinishApplyInterruptedByKillNineWithinLockTime() throws Exception {
		Path directory = ApplicationProcess.temporaryDirectory("countersign-interrupted-");
		AtomicBoolean hang = new AtomicBoolean(true);
		CountDownLatch applyArrived = new CountDownLatch(1);
		List<String> applyKeys = new CopyOnWriteArrayList<>();
		HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		receiver.setExecutor(Executors.newCachedThreadPool(runnable -> {
			Thread thread = new Thread(runnable, "webhook-receiver");
			thread.setDaemon(true);
			return thread;
		}));
		receiver.createContext("/hook", exchange -> {
			JsonNode body = new Reply(200, "application/json",
					new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).json();
			if (body.path("phase").asText().equals("apply")
					&& body.path("action").path("type").asText().equals("credential.disable")) {
				applyKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
				if (hang.get()) {
					applyArrived.countDown();
					// Never answers: the node is killed while it waits.
					sleep(Duration.ofMinutes(5));
				}
			}
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		receiver.start();
		Map<String, String> environment = Map.of("COUNTERSIGN_JOB_LOCK_TIME_MS", String.valueOf(LOCK_TIME.toMillis()),
				"COUNTERSIGN_JOB_MAX_WAIT_MS", "1000", "COUNTERSIGN_WEBHOOK_READ_TIMEOUT", "PT5M",
				"COUNTERSIGN_WEBHOOK_SECRET", "a-webhook-secret-of-at-least-32-characters");
		String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
		List<String> arguments = List.of("--countersign.targets.hooks.type=webhook",
				"--countersign.connectors.webhook.endpoints[credential.disable]=" + hook,
				"--countersign.connectors.webhook.endpoints[credential.suspend]=" + hook);
		String id;
		try {
			try (ApplicationProcess first = ApplicationProcess.start(directory, environment, arguments)) {
				ApiClient api = first.api();
				id = revocationAwaitingApproval(api, "svc-interrupted-" + UUID.randomUUID());
				Reply approved = api.post("alice", "/api/v1/responses/" + id + "/decision", Map.of("decision",
						"APPROVE", "reason", "interrupted apply", "fingerprint", fingerprint(api, id)));
				assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
				assertThat(applyArrived.await(60, TimeUnit.SECONDS)).as("apply reached the receiver:\n%s",
						first.logTail()).isTrue();
				first.kill();
			}
			hang.set(false);
			try (ApplicationProcess second = ApplicationProcess.start(directory, environment, arguments)) {
				ApiClient api = second.api();
				long restarted = System.nanoTime();
				Awaitility.await()
					.atMost(LOCK_TIME.plusSeconds(40))
					.pollInterval(Duration.ofMillis(500))
					.untilAsserted(() -> assertThat(api.get("scanner", "/api/v1/responses/" + id).json().path("status")
						.asText()).as("after restart:\n%s", second.logTail()).isIn("APPLIED", "COMPLETED"));
				Duration took = Duration.ofNanos(System.nanoTime() - restarted);
				assertThat(took).isLessThan(LOCK_TIME.plusSeconds(40));
				assertThat(applyKeys).hasSize(2);
				assertThat(applyKeys.get(1)).isEqualTo(applyKeys.get(0));
				List<String> types = ledgerTypes(api, id);
				assertThat(types.stream().filter("APPLIED"::equals).count()).as("ledger %s", types).isEqualTo(1);
			}
		}
		finally {
			receiver.stop(0);
		}
		ApplicationProcess.deleteDirectory(directory);
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
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
		ApplicationProcess.deleteDirectory(directory);
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

	/** A token revocation (approved by a duty analyst) whose disable goes through the webhook receiver. */
	private static String revocationAwaitingApproval(ApiClient api, String identity) {
		String credential = "token-" + identity;
		Reply upsert = api.put("scanner", "/api/v1/identities/" + identity, Map.of("owner", "payments-team",
				"environment", "staging", "privileges", List.of("repo:write"), "target", "hooks", "credentials",
				List.of(Map.of("id", credential, "kind", "ACCESS_TOKEN", "fingerprint",
						StagedAction.sha256("v1 " + credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Reply started = api.post("scanner", "/api/v1/responses", Map.of("playbook", "credential-revocation", "identity",
				identity, "credential", credential, "summary", "Token in a public gist", "source", "gist-scanner",
				"severity", "high", "environment", "staging", "evidence", Map.of("finding", "token in a public gist")));
		assertThat(started.status()).as(started.toString()).isIn(200, 202);
		String id = started.json().path("id").asText();
		api.awaitResponseStatus("alice", id, "AWAITING_APPROVAL");
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
