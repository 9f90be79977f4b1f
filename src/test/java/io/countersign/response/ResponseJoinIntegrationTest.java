package io.countersign.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.api.ApiException;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;

/**
 * A detection of a target that already has an open response joins it, over HTTP as the integrator ({@code scanner})
 * sends it: one response, one approval task, every detection kept and shown to the approver.
 */
@HttpIntegrationTest
@Import(ResponseJoinIntegrationTest.ReviewPlaybook.class)
class ResponseJoinIntegrationTest {

	/**
	 * A second playbook, test only: runs the one-task {@code ci-smoke} process, needs no credential and refuses
	 * detections without a {@code repository} in their evidence.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class ReviewPlaybook {

		static final String NAME = "identity-review";

		@Bean
		PlaybookDefinition identityReviewPlaybook() {
			return new PlaybookDefinition(NAME, "ci-smoke", false, (request, identity) -> {
				if (request.evidence() == null || !request.evidence().hasNonNull("repository")) {
					throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "Playbook '" + NAME + "' needs evidence."
							+ "repository to review identity '" + identity.id() + "'", "evidence");
				}
			});
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	RuntimeService runtimeService;

	@Autowired
	TaskService taskService;

	ApiClient api;

	final String identity = "svc-join-" + UUID.randomUUID();

	final String credential = "token-join-" + UUID.randomUUID();

	final String otherCredential = "token-join-other-" + UUID.randomUUID();

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity, Map.of("owner", "team-it",
				"description", "join test identity", "environment", "production", "privileges", List.of("repo:write"),
				"consumers", List.of(Map.of("name", "deploy-pipeline", "customerFacing", false)), "credentials",
				List.of(Map.of("id", this.credential, "kind", "ACCESS_TOKEN", "fingerprint",
						StagedAction.sha256("v1 " + this.credential)),
						Map.of("id", this.otherCredential, "kind", "ACCESS_TOKEN", "fingerprint",
								StagedAction.sha256("v1 " + this.otherCredential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
	}

	Map<String, Object> detection() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", this.identity);
		body.put("credential", this.credential);
		body.put("summary", "Token found in public repo");
		body.put("source", "github-secret-scanning");
		body.put("severity", "high");
		body.put("environment", "production");
		body.put("evidence", Map.of("repository", "acme/website", "path", "deploy.sh", "line", 12));
		return body;
	}

	Map<String, Object> secondDetection() {
		Map<String, Object> body = detection();
		body.put("summary", "Same token pasted in a gist");
		body.put("source", "gist-scanner");
		body.put("severity", "critical");
		body.put("evidence", Map.of("gist", "acme/0b1c", "line", 3));
		return body;
	}

	Reply post(Map<String, Object> body) {
		return this.api.post("scanner", "/api/v1/responses", body);
	}

	String started(Reply reply) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
		assertThat(reply.json().path("joined").asBoolean()).isFalse();
		return reply.json().path("id").asText();
	}

	JsonNode read(String id) {
		Reply reply = this.api.get("scanner", "/api/v1/responses/" + id);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	long playbookInstances(String processKey) {
		return this.runtimeService.createProcessInstanceQuery()
			.processDefinitionKey(processKey)
			.variableValueEquals(ResponseVariables.IDENTITY, this.identity)
			.count();
	}

	@Test
	void shouldJoinOpenResponseWhenSameTargetIsReportedAgain() {
		String id = started(post(detection()));
		this.api.awaitResponseStatus("scanner", id, "AWAITING_APPROVAL");
		Task approval = this.taskService.createTaskQuery().processInstanceBusinessKey(id).singleResult();

		Reply joined = post(secondDetection());

		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
		assertThat(joined.contentType()).startsWith("application/json");
		assertThat(joined.json().path("id").asText()).isEqualTo(id);
		assertThat(joined.json().path("joined").asBoolean()).isTrue();
		assertThat(joined.json().path("replayed").asBoolean()).isFalse();
		assertThat(joined.json().path("status").asText()).isEqualTo("AWAITING_APPROVAL");
		assertThat(joined.json().path("links").path("self").asText()).isEqualTo("/api/v1/responses/" + id);

		assertThat(this.taskService.createTaskQuery().processInstanceBusinessKey(id).list()).extracting(Task::getId)
			.containsExactly(approval.getId());
		assertThat(playbookInstances("secret-rotation")).isEqualTo(1);

		JsonNode response = read(id);
		JsonNode detections = response.path("detections");
		assertThat(detections).hasSize(2);
		assertThat(detections.get(0).path("seq").asInt()).isEqualTo(1);
		assertThat(detections.get(0).path("source").asText()).isEqualTo("github-secret-scanning");
		assertThat(detections.get(0).path("evidence").path("path").asText()).isEqualTo("deploy.sh");
		assertThat(detections.get(1).path("seq").asInt()).isEqualTo(2);
		assertThat(detections.get(1).path("source").asText()).isEqualTo("gist-scanner");
		assertThat(detections.get(1).path("summary").asText()).isEqualTo("Same token pasted in a gist");
		assertThat(detections.get(1).path("severity").asText()).isEqualTo("critical");
		assertThat(detections.get(1).path("requestedBy").asText()).isEqualTo("scanner");
		assertThat(detections.get(1).path("receivedAt").asText()).isNotBlank();
		assertThat(detections.get(1).path("evidence").path("gist").asText()).isEqualTo("acme/0b1c");
		// The response still reads as its first detection, which the staged action and the policy were based on.
		assertThat(response.path("severity").asText()).isEqualTo("high");

		JsonNode joinedEntry = timelineEntry(response, "DETECTION_JOINED");
		assertThat(joinedEntry.path("actor").asText()).isEqualTo("scanner");
		assertThat(joinedEntry.path("detail").asText()).contains("gist-scanner", "Same token pasted in a gist");
		assertThat(response.path("timeline").findValuesAsText("type")).containsSubsequence("REQUESTED", "STAGED",
				"DETECTION_JOINED");

		String playbookInstance = this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(id)
			.processDefinitionKey("secret-rotation")
			.singleResult()
			.getId();
		assertThat(this.runtimeService.getVariable(playbookInstance, ResponseVariables.JOINED_DETECTIONS)).isEqualTo(1);
		assertThat((String) this.runtimeService.getVariable(playbookInstance, ResponseVariables.ADDITIONAL_EVIDENCE))
			.contains("\"gist-scanner\"", "Same token pasted in a gist", "acme/0b1c");
		// What the approver's task sees: the gate's own copy of the variables, updated too.
		assertThat(this.taskService.getVariable(approval.getId(), ResponseVariables.JOINED_DETECTIONS)).isEqualTo(1);
		assertThat((String) this.taskService.getVariable(approval.getId(), ResponseVariables.ADDITIONAL_EVIDENCE))
			.contains("acme/0b1c");
	}

	@Test
	void shouldStartANewResponseWhenTheOpenOneHasEnded() {
		String first = started(post(detection()));
		this.api.awaitResponseStatus("scanner", first, "AWAITING_APPROVAL");
		Reply rejected = this.api.post("bob", "/api/v1/responses/" + first + "/decision",
				Map.of("decision", "REJECT", "reason", "Known test token"));
		assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
		this.api.awaitResponseStatus("scanner", first, "REJECTED");

		String second = started(post(secondDetection()));

		assertThat(second).isNotEqualTo(first);
		assertThat(read(first).path("detections")).hasSize(1);
		assertThat(read(first).path("timeline").findValuesAsText("type")).doesNotContain("DETECTION_JOINED");
		assertThat(read(second).path("detections")).hasSize(1);
		assertThat(read(second).path("detections").get(0).path("source").asText()).isEqualTo("gist-scanner");
	}

	@Test
	void shouldStartANewResponseForAnotherCredentialOfTheSameIdentity() {
		String first = started(post(detection()));
		Map<String, Object> other = detection();
		other.put("credential", this.otherCredential);

		String second = started(post(other));

		assertThat(second).isNotEqualTo(first);
		assertThat(playbookInstances("secret-rotation")).isEqualTo(2);
		assertThat(read(first).path("detections")).hasSize(1);
	}

	@Test
	void shouldCreateOneResponseWhenDetectionsOfOneTargetArriveTogether() throws Exception {
		int threads = 5;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch ready = new CountDownLatch(threads);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Reply>> replies = new ArrayList<>();
		try {
			for (int i = 0; i < threads; i++) {
				Map<String, Object> body = detection();
				body.put("summary", "Finding " + i);
				replies.add(pool.submit(() -> {
					ready.countDown();
					go.await();
					return post(body);
				}));
			}
			ready.await(10, TimeUnit.SECONDS);
			go.countDown();
			List<Reply> answers = new ArrayList<>();
			for (Future<Reply> reply : replies) {
				answers.add(reply.get(60, TimeUnit.SECONDS));
			}

			assertThat(answers).extracting(Reply::status).as(answers.toString()).containsOnly(200, 202);
			assertThat(answers.stream().filter(reply -> reply.status() == 202)).hasSize(1);
			assertThat(answers.stream().map(reply -> reply.json().path("id").asText()).distinct()).hasSize(1);
			String id = answers.get(0).json().path("id").asText();
			assertThat(read(id).path("detections").findValuesAsText("summary")).containsExactlyInAnyOrder("Finding 0",
					"Finding 1", "Finding 2", "Finding 3", "Finding 4");
			assertThat(read(id).path("timeline").findValuesAsText("type")).filteredOn("DETECTION_JOINED"::equals)
				.hasSize(4);
			assertThat(playbookInstances("secret-rotation")).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void shouldReplayAJoinForARepeatedIdempotencyKey() {
		String id = started(post(detection()));
		String key = "scan-" + UUID.randomUUID();

		Reply joined = this.api.send("scanner", "POST", "/api/v1/responses", secondDetection(),
				Map.of("Idempotency-Key", key));
		Reply replayed = this.api.send("scanner", "POST", "/api/v1/responses", secondDetection(),
				Map.of("Idempotency-Key", key));

		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
		assertThat(replayed.status()).as(replayed.toString()).isEqualTo(200);
		assertThat(replayed.json().path("id").asText()).isEqualTo(id);
		assertThat(replayed.json().path("joined").asBoolean()).isTrue();
		assertThat(replayed.json().path("replayed").asBoolean()).isTrue();
		assertThat(read(id).path("detections")).hasSize(2);

		Map<String, Object> different = secondDetection();
		different.put("summary", "Something else");
		Reply conflict = this.api.send("scanner", "POST", "/api/v1/responses", different, Map.of("Idempotency-Key", key));
		expectProblem(conflict, 409, "Idempotency-Key");
		assertThat(read(id).path("detections")).hasSize(2);
	}

	@Test
	void shouldRefuseTheDetectionBeyondTheJoinLimitAndKeepTheVariableWithinTheEngineColumn() {
		Map<String, Object> review = review();
		String id = started(post(review));
		for (int i = 1; i <= Responses.MAX_JOINED_DETECTIONS; i++) {
			review.put("summary", "Repeated finding " + i);
			Reply joined = post(review);
			assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
		}

		review.put("summary", "One too many");
		Reply refused = post(review);

		expectProblem(refused, 409, "already holds 100 joined detections");
		JsonNode response = read(id);
		assertThat(response.path("detections")).hasSize(Responses.MAX_JOINED_DETECTIONS + 1);
		assertThat(response.path("detections").findValuesAsText("summary")).doesNotContain("One too many");
		String instance = this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(id)
			.singleResult()
			.getId();
		assertThat(this.runtimeService.getVariable(instance, ResponseVariables.JOINED_DETECTIONS)).isEqualTo(100);
		String additional = (String) this.runtimeService.getVariable(instance, ResponseVariables.ADDITIONAL_EVIDENCE);
		assertThat(additional).hasSizeLessThanOrEqualTo(AdditionalEvidence.MAX_CHARS)
			.contains("earlier joined detection(s) are not shown here", "Repeated finding 100")
			.doesNotContain("\"Repeated finding 1\"");
	}

	@Test
	void shouldJoinOnlyAResponseOfTheSamePlaybook() {
		Map<String, Object> review = review();
		review.put("credential", this.credential);
		String reviewId = started(post(review));

		String rotationId = started(post(detection()));

		assertThat(rotationId).isNotEqualTo(reviewId);
		Reply joinedReview = post(review);
		assertThat(joinedReview.status()).as(joinedReview.toString()).isEqualTo(200);
		assertThat(joinedReview.json().path("id").asText()).isEqualTo(reviewId);
		assertThat(read(rotationId).path("detections")).hasSize(1);
	}

	@Test
	void shouldJoinOnlyAResponseWithoutCredentialWhenTheDetectionNamesNone() {
		String withoutCredential = started(post(review()));
		Map<String, Object> withCredential = review();
		withCredential.put("credential", this.credential);

		String other = started(post(withCredential));
		Reply joined = post(review());

		assertThat(other).isNotEqualTo(withoutCredential);
		assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
		assertThat(joined.json().path("id").asText()).isEqualTo(withoutCredential);
		assertThat(read(withoutCredential).path("credential").isMissingNode()).isTrue();
		assertThat(read(withoutCredential).path("detections")).hasSize(2);
		assertThat(read(other).path("detections")).hasSize(1);
	}

	@Test
	void shouldRefuseADetectionThePlaybooksStartCheckRefusesAndStoreNothing() {
		long before = total();
		Map<String, Object> review = review();
		review.put("evidence", Map.of("gist", "acme/0b1c"));

		Reply refused = post(review);

		expectProblem(refused, 422, "evidence.repository");
		assertThat(refused.json().path("field").asText()).isEqualTo("evidence");
		assertThat(total()).isEqualTo(before);
		assertThat(playbookInstances("ci-smoke")).isZero();
	}

	/** A detection for the test-only playbook, of the identity as a whole. */
	Map<String, Object> review() {
		Map<String, Object> body = detection();
		body.put("playbook", ReviewPlaybook.NAME);
		body.remove("credential");
		body.put("summary", "Identity used from an unknown network");
		body.put("source", "siem");
		return body;
	}

	private long total() {
		return this.api.get("admin", "/api/v1/responses?size=1").json().path("totalItems").asLong();
	}

	private static JsonNode timelineEntry(JsonNode response, String type) {
		for (JsonNode entry : response.path("timeline")) {
			if (type.equals(entry.path("type").asText())) {
				return entry;
			}
		}
		throw new AssertionError("No " + type + " in the timeline: " + response.path("timeline"));
	}

	private static void expectProblem(Reply reply, int status, String detail) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
		assertThat(reply.contentType()).as(reply.toString()).startsWith("application/problem+json");
		assertThat(reply.json().path("status").asInt()).isEqualTo(status);
		assertThat(reply.json().path("detail").asText()).as(reply.toString()).contains(detail);
	}

}
