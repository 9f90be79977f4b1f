package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Two platform owners decide the same request at the same instant, 50 times, through our API, engine-rest, and one of
 * each: one wins, the other gets 409 problem+json, never a 5xx, whatever the database makes of the collision (an
 * optimistic-locking failure, or on H2 a lock timeout on the approval request row).
 */
@HttpIntegrationTest
class DecisionRaceIntegrationTest {

	private static final int PAIRS = 50;

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Test
	void shouldAnswerEveryLoserOfFiftyDecisionRacesWithConflict() {
		ApiClient api = new ApiClient(this.port);
		List<String> responses = new ArrayList<>();
		for (int i = 0; i < PAIRS; i++) {
			responses.add(api.startRotation("svc-race", "high"));
		}
		for (String id : responses) {
			api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		}
		int conflicts = 0;
		for (int pair = 0; pair < PAIRS; pair++) {
			String id = responses.get(pair);
			String fingerprint = api.get("scanner", "/api/v1/responses/" + id).json().path("stagedAction")
				.path("fingerprint").asText();
			String task = api.get("bob", engineRest("/task?processInstanceBusinessKey=" + id)).json().get(0).path("id")
				.asText();
			// Pair 0: both through our API, 1: both through engine-rest, 2: one each; then again.
			boolean bobRest = pair % 3 == 1;
			boolean paulRest = pair % 3 != 0;
			CountDownLatch go = new CountDownLatch(1);
			CompletableFuture<Reply> bob = racer(api, go, "bob", "APPROVE", bobRest, id, task, fingerprint);
			CompletableFuture<Reply> paul = racer(api, go, "paul", "REJECT", paulRest, id, task, fingerprint);
			go.countDown();
			List<Reply> replies = List.of(bob.join(), paul.join());
			String what = "pair " + pair + " " + replies;
			assertThat(replies).as(what).allSatisfy(reply -> assertThat(reply.status()).isIn(200, 204, 409));
			assertThat(replies).as(what).filteredOn(reply -> reply.status() != 409).hasSize(1);
			for (Reply reply : replies) {
				if (reply.status() == 409) {
					assertThat(reply.contentType()).as(what).startsWith("application/problem+json");
					assertThat(reply.json().path("status").asInt()).as(what).isEqualTo(409);
					conflicts++;
				}
			}
			JsonNode decided = api.get("scanner", "/api/v1/responses/" + id).json();
			assertThat(decided.path("decisions")).as(what).hasSize(1);
		}
		assertThat(conflicts).isEqualTo(PAIRS);
	}

	private CompletableFuture<Reply> racer(ApiClient api, CountDownLatch go, String user, String decision,
			boolean engineRest, String id, String task, String fingerprint) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				go.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			if (engineRest) {
				return api.post(user, engineRest("/task/" + task + "/complete"), Map.of("variables",
						Map.of("decision", Map.of("value", decision), "reason", Map.of("value", "racing " + decision),
								"approvedFingerprint", Map.of("value", fingerprint))));
			}
			return api.post(user, "/api/v1/responses/" + id + "/decision",
					Map.of("decision", decision, "reason", "racing " + decision, "fingerprint", fingerprint));
		});
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

}
