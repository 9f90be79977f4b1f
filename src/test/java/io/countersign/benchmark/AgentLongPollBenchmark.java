package io.countersign.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.agent.AgentWaiterCount;
import io.countersign.support.HttpIntegrationTest;
import io.countersign.support.TestIdentities;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A thousand agents long-polling one server at once. Run with {@code ./mvnw verify -Pbenchmark}; the normal build
 * never runs it. It asserts resources, never timings: the figures it prints depend on the machine.
 *
 * <p>Client and server share this JVM, so server threads are counted by Tomcat's thread names; the JVM-wide count
 * and the heap include the client's side of the thousand connections too. The in-memory H2 database lives in the
 * heap as well, so the heap after approving also holds what the approvals wrote.
 */
@HttpIntegrationTest
class AgentLongPollBenchmark {

	private static final int AGENTS = 1000;

	/**
	 * Polls opened before waiting for them to register: agents arriving in quick waves. One burst of a thousand
	 * grows Tomcat's pool to its cap for the moment of arrival, which measures arrivals, not waiting.
	 */
	private static final int OPEN_WAVE = 50;

	private static final int WAIT_SECONDS = 60;

	private static final String ACCOUNT = "research-bot";

	private static final String REVIEWER = "erin";

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	@Autowired
	ServerProperties server;

	@Autowired
	TaskService taskService;

	@Autowired
	RuntimeService runtimeService;

	@Autowired
	IdentityService identityService;

	private record Sample(int jvmThreads, int serverThreads, int tomcatExecThreads, long heapUsed) {
	}

	private record Answer(int status, String body, long atNanos) {
	}

	@Test
	void shouldServeAThousandConcurrentLongPollsWithoutHoldingAThreadEach() throws Exception {
		// A handful of client threads, so that the JVM-wide thread count is mostly the server's.
		ExecutorService clientThreads = Executors.newFixedThreadPool(4);
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.executor(clientThreads)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
		Map<String, CompletableFuture<Answer>> polls = new LinkedHashMap<>();
		try {
			long started = System.nanoTime();
			List<String> ids = ask(http);
			long asked = System.nanoTime();
			Map<String, String> reviewTasks = reviewTasks(ids);
			Sample baseline = sample();
			THREADS.resetPeakThreadCount();

			long opening = System.nanoTime();
			open(http, ids, polls);
			long opened = System.nanoTime();
			Sample waiting = sample();
			int peakThreads = THREADS.getPeakThreadCount();
			int maxThreads = this.server.getTomcat().getThreads().getMax();
			assertThat(waiters()).as("agents waiting at once").isEqualTo(AGENTS);
			assertThat(polls.values()).as("polls answered before any decision").noneMatch(CompletableFuture::isDone);
			// More waits than Tomcat has threads, with its pool still below the cap: no wait holds a thread.
			assertThat(AGENTS).isGreaterThan(maxThreads);
			assertThat(waiting.tomcatExecThreads()).as("Tomcat request threads while %d agents wait", AGENTS)
				.isLessThan(maxThreads);

			long approving = System.nanoTime();
			Map<String, Long> approvedAt = approve(reviewTasks);
			long approved = System.nanoTime();
			List<Long> latenciesMillis = new ArrayList<>();
			long lastAnswer = Long.MIN_VALUE;
			for (Map.Entry<String, CompletableFuture<Answer>> poll : polls.entrySet()) {
				Answer answer = poll.getValue().get(WAIT_SECONDS, TimeUnit.SECONDS);
				assertThat(answer.status()).as(answer.body()).isEqualTo(200);
				JsonNode body = JSON.readTree(answer.body());
				assertThat(body.path("status").asText()).as(answer.body()).isEqualTo("APPROVED");
				assertThat(body.at("/receipt/token").asText()).as(answer.body()).isNotBlank();
				latenciesMillis.add(millis(approvedAt.get(poll.getKey()), answer.atNanos()));
				lastAnswer = Math.max(lastAnswer, answer.atNanos());
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> waiters() == 0);
			Sample after = sample();

			long firstApproval = approvedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
			latenciesMillis.sort(null);
			print(baseline, waiting, after, peakThreads, maxThreads, millis(firstApproval, lastAnswer),
					percentile(latenciesMillis, 50),
					percentile(latenciesMillis, 99));
			System.out.printf("[benchmark] phases: %d actions asked in %d ms, polls opened in %d ms, approved in %d ms%n%n",
					AGENTS, millis(started, asked), millis(opening, opened), millis(approving, approved));
		}
		finally {
			if (polls.values().stream().anyMatch(poll -> !poll.isDone())) {
				answerStillWaiting(polls);
			}
			clientThreads.shutdownNow();
		}
	}

	/** Distinct arguments per action, so that no two requests hash alike, asked over HTTP a few at a time. */
	private List<String> ask(HttpClient http) throws Exception {
		ExecutorService askers = Executors.newFixedThreadPool(4);
		try {
			List<Callable<String>> asks = new ArrayList<>();
			for (int i = 0; i < AGENTS; i++) {
				String body = "{\"agent\":\"support-bot\",\"tool\":\"tickets.close\",\"arguments\":{\"ticketId\":\"TCK-"
						+ (10_000 + i) + "\",\"resolution\":\"fixed\"},\"purpose\":\"Close a ticket the customer "
						+ "confirmed resolved\",\"scope\":\"tickets:write\",\"durationSeconds\":900}";
				asks.add(() -> {
					HttpResponse<String> reply = http.send(request("/api/v1/agent-actions")
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
						.build(), HttpResponse.BodyHandlers.ofString());
					assertThat(reply.statusCode()).as(reply.body()).isEqualTo(202);
					JsonNode accepted = JSON.readTree(reply.body());
					assertThat(accepted.path("status").asText()).isEqualTo("PENDING");
					return accepted.path("id").asText();
				});
			}
			List<String> ids = new ArrayList<>();
			for (Future<String> id : askers.invokeAll(asks)) {
				ids.add(id.get());
			}
			return ids;
		}
		finally {
			askers.shutdownNow();
		}
	}

	/**
	 * Looked up before the waits start, so that approving is only the reviewer's work; in the order the polls open,
	 * so that no poll waits much longer than the others for its decision.
	 */
	private Map<String, String> reviewTasks(List<String> ids) {
		Map<String, String> actionByInstance = this.runtimeService.createProcessInstanceQuery()
			.processDefinitionKey("agent-tool-access")
			.list()
			.stream()
			.collect(Collectors.toMap(ProcessInstance::getId, ProcessInstance::getBusinessKey));
		Map<String, String> taskByAction = this.taskService.createTaskQuery()
			.processDefinitionKey("agent-tool-access")
			.taskDefinitionKey("Task_ReviewToolCall")
			.list()
			.stream()
			.collect(Collectors.toMap(task -> actionByInstance.get(task.getProcessInstanceId()), Task::getId));
		assertThat(taskByAction).containsOnlyKeys(ids);
		Map<String, String> inOrder = new LinkedHashMap<>();
		ids.forEach(id -> inOrder.put(id, taskByAction.get(id)));
		return inOrder;
	}

	private void open(HttpClient http, List<String> ids, Map<String, CompletableFuture<Answer>> polls) {
		for (String id : ids) {
			polls.put(id, http
				.sendAsync(request("/api/v1/agent-actions/" + id + "?waitSeconds=" + WAIT_SECONDS)
					.timeout(Duration.ofSeconds(WAIT_SECONDS + 30))
					.GET()
					.build(), HttpResponse.BodyHandlers.ofString())
				.thenApply(reply -> new Answer(reply.statusCode(), reply.body(), System.nanoTime())));
			if (polls.size() % OPEN_WAVE == 0 || polls.size() == ids.size()) {
				int opened = polls.size();
				// An early answer means a poll failed or was decided, never that it waits: stop and show it.
				await().atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(10))
					.until(() -> waiters() >= opened || polls.values().stream().anyMatch(CompletableFuture::isDone));
				polls.values().stream().filter(CompletableFuture::isDone).findFirst().ifPresent(done -> {
					throw new AssertionError("a poll answered before any decision: " + done.join());
				});
			}
		}
	}

	/**
	 * Approves every action as the reviewer, from a few threads. A latency is measured from just before the
	 * reviewer's completion starts: the waiter is answered after that transaction commits, from inside the call.
	 */
	private Map<String, Long> approve(Map<String, String> reviewTasks) throws Exception {
		Map<String, Long> approvedAt = new ConcurrentHashMap<>();
		ExecutorService reviewers = Executors.newFixedThreadPool(4);
		try {
			List<Callable<Void>> approvals = new ArrayList<>();
			reviewTasks.forEach((actionId, taskId) -> approvals.add(() -> {
				approvedAt.put(actionId, System.nanoTime());
				TestIdentities.runAs(this.identityService, REVIEWER, () -> this.taskService.complete(taskId,
						Map.of("decision", "APPROVE", "reason", "Benchmark: the ticket is resolved")));
				return null;
			}));
			for (Future<Void> approval : reviewers.invokeAll(approvals)) {
				approval.get();
			}
			return approvedAt;
		}
		finally {
			reviewers.shutdownNow();
		}
	}

	/**
	 * After a failure, denies what is still open so that every poll is answered: the server's graceful shutdown
	 * would otherwise wait for them, and the fork be killed, long after the failure was known.
	 */
	private void answerStillWaiting(Map<String, CompletableFuture<Answer>> polls) {
		for (Task task : this.taskService.createTaskQuery()
			.processDefinitionKey("agent-tool-access")
			.taskDefinitionKey("Task_ReviewToolCall")
			.list()) {
			try {
				TestIdentities.runAs(this.identityService, REVIEWER, () -> this.taskService.complete(task.getId(),
						Map.of("decision", "DENY", "reason", "Benchmark failed; answering the waiting agents")));
			}
			catch (RuntimeException ex) {
				// The failure being reported matters more; what stays open times out on its own.
			}
		}
		try {
			CompletableFuture.allOf(polls.values().toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// As above.
		}
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString((ACCOUNT + ":" + ACCOUNT).getBytes(StandardCharsets.UTF_8)));
	}

	private int waiters() {
		return AgentWaiterCount.in(this.context);
	}

	private static Sample sample() {
		System.gc();
		long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
		int server = (int) names.stream().filter(name -> name.startsWith("http-nio-")).count();
		int exec = (int) names.stream().filter(name -> name.startsWith("http-nio-") && name.contains("exec")).count();
		return new Sample(THREADS.getThreadCount(), server, exec, heapUsed);
	}

	private static long millis(long fromNanos, long toNanos) {
		return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
	}

	private static long percentile(List<Long> sorted, int percent) {
		return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * percent / 100.0) - 1));
	}

	private static void print(Sample baseline, Sample waiting, Sample after, int peakThreads, int maxThreads,
			long approveToLastAnswerMillis, long p50, long p99) {
		double perWaitKiB = (waiting.heapUsed() - baseline.heapUsed()) / 1024.0 / AGENTS;
		System.out.printf("%n[benchmark] agent long-polls: %d concurrent | server threads: baseline %d, while waiting %d "
				+ "(tomcat exec %d) | heap used: baseline %.1f MiB, while waiting %.1f MiB (%+.1f KiB per wait) | "
				+ "approve->answer p50 %d ms p99 %d ms%n", AGENTS, baseline.serverThreads(), waiting.serverThreads(),
				waiting.tomcatExecThreads(), mib(baseline), mib(waiting), perWaitKiB, p50, p99);
		System.out.printf("[benchmark] waitSeconds=%d, Tomcat max threads %d%n", WAIT_SECONDS, maxThreads);
		System.out.printf("[benchmark] %-14s | %11s | %22s | %14s%n", "", "JVM threads", "server (tomcat exec)",
				"heap used");
		row("baseline", baseline);
		row("while waiting", waiting);
		row("after", after);
		System.out.printf("[benchmark] JVM thread peak while opening and waiting: %d%n", peakThreads);
		System.out.printf("[benchmark] heap per wait: %+.1f KiB (server and client sides, one JVM)%n", perWaitKiB);
		System.out.printf("[benchmark] first approval -> last answer: %d ms | approve->answer p50 %d ms, p99 %d ms%n",
				approveToLastAnswerMillis, p50, p99);
	}

	private static void row(String label, Sample sample) {
		System.out.printf("[benchmark] %-14s | %11d | %13d (%4d) | %10.1f MiB%n", label, sample.jvmThreads(),
				sample.serverThreads(), sample.tomcatExecThreads(), mib(sample));
	}

	private static double mib(Sample sample) {
		return sample.heapUsed() / 1024.0 / 1024.0;
	}

}
