package io.countersign.tasklist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Inventory;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.response.StartResponseRequest;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.PlaybookScenario;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.task.Task;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A person approves a secret rotation in Camunda Tasklist, in headless Chromium: {@code bob} logs in, opens the
 * "Approve credential.rotate" task of one response from "My approvals", reads the staged action's fingerprint and blast
 * radius on the Camunda Form, approves with a reason and completes. The engine's rules then see exactly what
 * Tasklist submitted, including the {@code approvedFingerprint} that the form computes on submit. Then the first task of
 * every other seed playbook opens in Tasklist with its own Camunda Form, and one of them is completed through it. And
 * {@code erin} reviews an AI agent's tool call there: she approves it shortened and narrowed, or is refused a longer one.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}. Without them the test is skipped, unless the
 * environment variable {@code CI} is {@code true}: then it fails, so CI never passes without having run it.
 * The filled form's screenshot, the browser console and, on failure, a screenshot and the page source land in
 * {@code target/browser/}.
 */
@ExtendWith(TasklistApprovalBrowserTest.RequiresChromium.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
				"camunda.bpm.generate-unique-process-engine-name=true",
				"camunda.bpm.generate-unique-process-application-name=true",
				"camunda.bpm.job-execution.max-wait=500", "camunda.bpm.job-execution.wait-time-in-millis=200" })
class TasklistApprovalBrowserTest {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Path EVIDENCE_ROOT = Path.of("target", "browser");

	/** Each playbook's approval card as an approver first sees it, at 1366×768. */
	private static final Path SCREENSHOTS_ROOT = Path.of("target", "screenshots");

	private static final Duration UI_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Selenium looks for a DevTools binding matching Chromium's version and warns when it has none. This test
	 * speaks WebDriver only, never DevTools, so the warning is noise. Held here so the settings are not collected.
	 */
	private static final List<Logger> QUIET = Stream
		.of("org.openqa.selenium.devtools.CdpVersionFinder", "org.openqa.selenium.chromium.ChromiumDriver")
		.map(Logger::getLogger)
		.peek(logger -> logger.setLevel(Level.SEVERE))
		.toList();

	private static final String CONSUMER = "storefront-web";

	private static final String AGENT = "research-bot";

	private static final String AGENT_TOOL = "tickets.close";

	private static final String AGENT_SCOPE = "tickets:write tickets:read";

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	ApiClient api;

	WebDriver driver;

	WebDriverWait wait;

	Path chromiumProfile;

	final String identity = "svc-browser-" + UUID.randomUUID();

	final String credential = "token-browser-" + UUID.randomUUID();

	/** Runs before {@link AfterEach}, while the browser is still open. */
	@RegisterExtension
	final AfterTestExecutionCallback evidenceOnFailure = context -> {
		if (context.getExecutionException().isPresent() && this.driver != null) {
			saveEvidence(context.getRequiredTestMethod().getName() + "-failure");
		}
	};

	private Path evidence;

	private Path screenshots;

	@BeforeAll
	static void clearEvidence(TestInfo info) {
		// No picture from an earlier run may pass for one of this run.
		Class<?> testClass = info.getTestClass().orElseThrow();
		deleteRecursively(ownDirectory(EVIDENCE_ROOT, testClass));
		deleteRecursively(ownDirectory(SCREENSHOTS_ROOT, testClass));
	}

	/**
	 * This class's pictures in {@code root}, a subclass's (another configuration of the same tests) beside it: test
	 * classes run in parallel JVMs and must not clear each other's.
	 */
	private static Path ownDirectory(Path root, Class<?> testClass) {
		return testClass == TasklistApprovalBrowserTest.class ? root
				: root.resolveSibling(root.getFileName() + "-" + testClass.getSimpleName());
	}

	@BeforeEach
	void setUp() throws IOException {
		this.api = new ApiClient(this.port);
		this.evidence = Files.createDirectories(ownDirectory(EVIDENCE_ROOT, getClass()));
		this.screenshots = Files.createDirectories(ownDirectory(SCREENSHOTS_ROOT, getClass()));
		this.chromiumProfile = Files.createTempDirectory("countersign-chromium-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1366,768", "--user-data-dir=" + this.chromiumProfile);
		options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
		// An explicit driver: Selenium Manager must never try to download one.
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(CHROMEDRIVER.toString()))
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(service, options);
		this.wait = new WebDriverWait(this.driver, UI_TIMEOUT, Duration.ofMillis(100));
		// AngularJS re-renders lists and panes while a condition looks at them.
		this.wait.ignoring(StaleElementReferenceException.class);
	}

	@AfterEach
	void tearDown() {
		try {
			if (this.driver != null) {
				saveConsole("console");
				this.driver.quit();
			}
		}
		finally {
			this.driver = null;
			deleteRecursively(this.chromiumProfile);
		}
	}

	@Test
	void bobApprovesTheExactStagedActionInTasklist() {
		// The scanner registers an identity with a customer-facing consumer and reports a leaked credential.
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + this.identity,
				Map.of("owner", "team-storefront", "description", "browser test identity", "environment", "production",
						"privileges", List.of("orders:write"), "consumers",
						List.of(Map.of("name", CONSUMER, "customerFacing", true, "lastUsedAt", "2026-11-20T10:00:00Z")),
						"credentials", List.of(Map.of("id", this.credential, "kind", "API_KEY", "fingerprint",
								StagedAction.sha256("v1 " + this.credential)))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Reply started = this.api.post("scanner", "/api/v1/responses", detection());
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String responseId = started.json().path("id").asText();
		JsonNode staged = awaitStatus(responseId, "AWAITING_APPROVAL");
		String fingerprint = staged.path("stagedAction").path("fingerprint").asText();
		assertThat(fingerprint).matches("sha256:[0-9a-f]{64}");

		// Bob, in the browser.
		logIn("bob");
		openMyApprovals();
		openApprovalTaskOf(this.identity);
		claimIfUnassigned();

		assertCardAboveTheFold("secret-rotation",
				"Rotate API key " + this.credential + " of " + this.identity + " from version 1 to version 2");
		assertThat(cardText("customer-facing consumer").getText()).contains("production")
			.contains("severity high")
			.contains("1 customer-facing consumer: " + CONSUMER)
			.contains("write privileges");
		assertThat(cardText("expires in").getText()).contains("0 of 1 approvals so far");
		assertThat(cardText("Blast radius").getText()).contains(CONSUMER + " customer-facing, last used 2026-11-20 10:00 UTC");
		assertThat(cardText("Fingerprint").getText()).contains(fingerprint);
		assertThat(cardText("Policy:").getText()).contains("rule rotate-production-customer-facing");
		assertThat(cardText("Approvals so far").getText()).contains("0 of 1 approval(s)");
		// Read-only values are text: the only inputs are the decision's.
		assertThat(this.driver.findElements(By.cssSelector("form.fjs-form input:disabled, form.fjs-form textarea:disabled")))
			.isEmpty();

		String reason = "Storefront owners rotate the key now, browser test " + UUID.randomUUID();
		choose("Approve this exact action");
		type("Reason", reason);

		// What Bob sees as he clicks Complete, and the whole filled form in one picture.
		scrollIntoView(completeButton());
		screenshot("filled-form");
		screenshotOfWholeForm("filled-form-full");
		complete();

		// What the engine recorded.
		JsonNode done = awaitStatus(responseId, "COMPLETED");
		JsonNode decision = done.path("decisions").get(0);
		assertThat(done.path("decisions")).hasSize(1);
		assertThat(decision.path("approver").asText()).isEqualTo("bob");
		assertThat(decision.path("decision").asText()).isEqualTo("APPROVE");
		assertThat(decision.path("reason").asText()).isEqualTo(reason);
		assertThat(decision.path("fingerprint").asText()).isEqualTo(fingerprint);
		// The form's expression field (=actionFingerprint, computed on presubmit) is what Tasklist sent.
		assertThat(submittedVariable(responseId, "approvedFingerprint")).isEqualTo(fingerprint);
		assertThat(submittedVariable(responseId, "reason")).isEqualTo(reason);
		JsonNode credentialNow = this.api.get("scanner", "/api/v1/identities/" + this.identity)
			.json()
			.path("credentials")
			.get(0);
		assertThat(credentialNow.path("id").asText()).isEqualTo(this.credential);
		assertThat(credentialNow.path("currentVersion").asInt()).isEqualTo(2);
	}

	/**
	 * The first task of each of the other seed playbooks opens in Tasklist for its candidate and renders that playbook's
	 * own Camunda Form: the fields only it asks about, conditional fields once their choice is made, and the blast radius
	 * and rollback plan where the form has them. A form that form-js cannot render fails here and nowhere else. Alice
	 * then disables a federated trust through its form. One browser for all five; a login per candidate. Each form's
	 * picture lands in {@code target/browser/}.
	 */
	@Test
	void shouldRenderTheApprovalFormOfEveryPlaybookInTasklist() {
		// Started together, so the job executor stages all five at once.
		PlaybookScenario revocation = started("credential-revocation", scenario -> scenario.tokenId, null);
		ObjectNode usage = JsonNodeFactory.instance.objectNode();
		usage.set("usedPrivileges", JsonNodeFactory.instance.arrayNode().add("repo:read").add("repo:write"));
		PlaybookScenario reduction = started("privilege-reduction", scenario -> null, usage);
		PlaybookScenario quarantine = started("identity-quarantine", scenario -> null, null);
		PlaybookScenario isolation = started("workload-isolation", scenario -> null,
				JsonNodeFactory.instance.objectNode().put("workload", "deploy-pipeline"));
		PlaybookScenario federation = started("federated-credential-disable", scenario -> scenario.trustId, null);
		Task revocationTask = awaitTask(revocation, "Task_Approve");
		Task reductionTask = awaitTask(reduction, "Task_Approve");
		Task quarantineTask = awaitTask(quarantine, "Task_Approve");
		Task validationTask = awaitTask(isolation, "Task_ValidateWorkload");
		Task federationTask = awaitTask(federation, "Task_Approve");

		logIn("alice");

		openTask(revocationTask, revocation);
		assertCardAboveTheFold("credential-revocation",
				"Disable access token " + revocation.tokenId + " of " + revocation.identityId);
		// Nothing was contained first, so the card says nothing about a containment.
		assertThat(cardTexts("Already contained")).isEmpty();
		assertThat(cardText("Rollback").getText()).containsPattern("Undo on request within \\d+ (d|h|min)");
		assertBlastRadiusAndRollbackPlanShown(revocation);
		screenshotOfWholeForm("credential-revocation-form");

		openTask(quarantineTask, quarantine);
		assertCardAboveTheFold("identity-quarantine", "Quarantine identity " + quarantine.identityId + ": all ");
		assertBlastRadiusAndRollbackPlanShown(quarantine);
		assertThat(labels("Monitor for")).isEmpty();
		choose("Keep monitoring, then review again");
		this.wait.until(driver -> labels("Monitor for").stream().anyMatch(WebElement::isDisplayed));
		screenshotOfWholeForm("identity-quarantine-form");

		openTask(validationTask, isolation);
		assertThat(this.wait.until(nonEmptyValueOf("Evidence"))).contains("deploy-pipeline");
		WebElement customerFacing = field("This workload serves customers");
		assertThat(customerFacing.getDomAttribute("type")).isEqualTo("checkbox");
		assertThat(customerFacing.isSelected()).isFalse();
		screenshotOfWholeForm("workload-isolation-validation-form");
		type("How did you check?", "Asked the owning team, browser test");
		complete();
		Task isolationTask = awaitTask(isolation, "Task_Approve");
		openTask(isolationTask, isolation);
		assertCardAboveTheFold("workload-isolation", "Isolate workload deploy-pipeline: it stops receiving "
				+ isolation.identityId);
		assertBlastRadiusAndRollbackPlanShown(isolation);

		openTask(federationTask, federation);
		assertCardAboveTheFold("federated-credential-disable",
				"Disable federated trust " + federation.trustId + " of " + federation.identityId);
		assertBlastRadiusAndRollbackPlanShown(federation);
		assertThat(labels("Fallback path")).isEmpty();
		choose("Approve: disable the trust and partner credentials");
		type("Fallback path", "Invoices go through the SFTP drop until the partner re-keys");
		type("Reason", "Partner trust misused from an unknown tenant, browser test");
		screenshotOfWholeForm("federated-credential-disable-form");
		complete();
		// The trust is disabled by the guarded action after the approval, on the job executor.
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> federation.credentialStatus(federation.trustId), CredentialStatus.DISABLED::equals);

		// A fresh session is what signing out leaves behind; the user menu's click path is not under test.
		this.driver.manage().deleteAllCookies();
		logIn("carol");

		openTask(reductionTask, reduction);
		assertCardAboveTheFold("privilege-reduction", "Remove 2 privileges from " + reduction.identityId
				+ ": deploy:production, iam:admin (2 kept)");
		assertBlastRadiusAndRollbackPlanShown(reduction);
		assertThat(labels("Privileges to remove")).isEmpty();
		choose("Narrow: remove only the privileges I list below");
		this.wait.until(driver -> field("Privileges to remove").isDisplayed());
		screenshotOfWholeForm("privilege-reduction-form");
	}

	/**
	 * An AI agent asks to close a ticket; Erin reviews the exact call in Tasklist, approves it for a third of the
	 * requested duration and with one of the two requested scopes, and the agent's own view then shows her edited
	 * approval and a receipt.
	 */
	@Test
	void shouldApproveAnAgentToolCallInTasklistWithAShorterDuration() {
		String actionId = askForToolCall("Close T-42 as a duplicate of T-41, browser test " + UUID.randomUUID());
		String requestHash = agentAction(actionId).path("requestHash").asText();
		Task review = awaitAgentReviewTask(actionId);

		logIn("erin");
		openTask(review.getId(), requestHash);

		assertCardAboveTheFold("agent-tool-access",
				"Let agent " + AGENT + " call " + AGENT_TOOL + " for 15 min with scope " + AGENT_SCOPE);
		assertThat(cardText("privileges (from its scope)").getText()).contains("account " + AGENT)
			.contains("write privileges")
			.contains("policy rule agent-tool-default");
		assertThat(cardText("Arguments").getText()).contains("\"T-42\"").contains("duplicate");
		assertThat(cardText("expires in").getText()).contains("reviewers agent-reviewers");
		// What the reviewer may change appears once she approves, starting from the request as asked.
		assertThat(labels("Approved duration")).isEmpty();
		choose("Approve this exact call");
		assertThat(this.wait.until(nonEmptyValueOf("Approved duration"))).isEqualTo("900");
		assertThat(this.wait.until(nonEmptyValueOf("Approved scope"))).isEqualTo(AGENT_SCOPE);
		assertThat(labels("Standing grant")).anyMatch(WebElement::isDisplayed);

		enter("Approved duration", "300");
		enter("Approved scope", "tickets:write");
		String reason = "Duplicate of T-41; five minutes and write access are enough, browser test " + UUID.randomUUID();
		enter("Reason", reason);
		scrollIntoView(completeButton());
		screenshotOfWholeForm("agent-tool-review-form");
		complete();

		// What the agent sees.
		JsonNode approved = awaitAgentActionStatus(actionId, "APPROVED");
		JsonNode decision = approved.path("decision");
		assertThat(decision.path("outcome").asText()).isEqualTo("APPROVED");
		assertThat(decision.path("reviewer").asText()).isEqualTo("erin");
		assertThat(decision.path("reason").asText()).isEqualTo(reason);
		assertThat(decision.path("approvedDurationSeconds").asInt()).isEqualTo(300);
		assertThat(decision.path("approvedScope").asText()).isEqualTo("tickets:write");
		assertThat(decision.path("edited").asBoolean()).isTrue();
		assertThat(decision.path("requestHash").asText()).isNotBlank().isNotEqualTo(requestHash);
		assertThat(approved.path("receipt").path("token").asText()).isNotBlank();
	}

	/**
	 * A reviewer may only shorten the requested duration: Tasklist shows the engine's refusal of a longer one, and the
	 * task and the request stay open.
	 */
	@Test
	void shouldRefuseAnAgentToolCallApprovalLongerThanRequestedInTasklist() {
		String actionId = askForToolCall("Close T-42 as a duplicate of T-41, browser test " + UUID.randomUUID());
		String requestHash = agentAction(actionId).path("requestHash").asText();
		Task review = awaitAgentReviewTask(actionId);

		logIn("erin");
		openTask(review.getId(), requestHash);
		choose("Approve this exact call");
		assertThat(this.wait.until(nonEmptyValueOf("Approved duration"))).isEqualTo("900");
		enter("Approved duration", "1200");
		enter("Reason", "Longer than asked, browser test");

		assertThat(completeExpectingRefusal()).contains("Refused by rule 'shorten-only'");
		assertThat(this.driver.getCurrentUrl()).contains("task=" + review.getId());
		assertThat(this.driver.findElements(By.cssSelector("ol.tasks-list a[href='#/?task=" + review.getId() + "']")))
			.isNotEmpty();
		assertThat(this.processEngine.getTaskService().createTaskQuery().taskId(review.getId()).count()).isEqualTo(1);
		JsonNode pending = agentAction(actionId);
		assertThat(pending.path("status").asText()).isEqualTo("PENDING");
		assertThat(pending.path("decision").isNull() || pending.path("decision").isMissingNode()).isTrue();
	}

	private Map<String, Object> detection() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", this.identity);
		body.put("credential", this.credential);
		body.put("summary", "Storefront API key found in a public gist");
		body.put("source", "github-secret-scanning");
		body.put("severity", "high");
		body.put("environment", "production");
		body.put("evidence", Map.of("gist", "acme/0b1c", "line", 3));
		return body;
	}

	private JsonNode awaitStatus(String id, String status) {
		return this.api.awaitResponseStatus("scanner", id, status);
	}

	/**
	 * A fresh identity (a token, a federated trust with a partner key, two consumers, four privileges) and a response of
	 * the playbook for it, in staging at high severity: one approval, nothing contained first. The job executor runs the
	 * response from here, so the scenario is not driven by hand.
	 */
	private PlaybookScenario started(String playbook, Function<PlaybookScenario, String> credential, ObjectNode evidence) {
		PlaybookScenario scenario = new PlaybookScenario(this.processEngine, this.inventory, this.responses,
				Environment.STAGING, "team-browser", false);
		StartResponseRequest request = new StartResponseRequest(playbook, scenario.identityId, credential.apply(scenario),
				"Browser test detection for " + playbook, "browser-test", Severity.HIGH, Environment.STAGING,
				evidence == null ? JsonNodeFactory.instance.objectNode() : evidence);
		scenario.responseId = this.responses.start(request, "scanner", null).response().id();
		return scenario;
	}

	private static Task awaitTask(PlaybookScenario scenario, String taskDefinitionKey) {
		return Awaitility.await()
			.alias(taskDefinitionKey + " of response " + scenario.responseId)
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> scenario.task(taskDefinitionKey), task -> task != null);
	}

	/** As the agent's service account, over HTTP: asks to close ticket T-42; the request waits for a reviewer. */
	private String askForToolCall(String purpose) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("agent", AGENT);
		body.put("tool", AGENT_TOOL);
		body.put("arguments", Map.of("ticket", "T-42", "resolution", "duplicate"));
		body.put("purpose", purpose);
		body.put("scope", AGENT_SCOPE);
		body.put("durationSeconds", 900);
		Reply asked = this.api.post(AGENT, "/api/v1/agent-actions", body);
		assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
		assertThat(asked.json().path("status").asText()).isEqualTo("PENDING");
		return asked.json().path("id").asText();
	}

	/** The agent action as the account that asked sees it, receipt token included. */
	private JsonNode agentAction(String actionId) {
		Reply reply = this.api.get(AGENT, "/api/v1/agent-actions/" + actionId);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	private JsonNode awaitAgentActionStatus(String actionId, String status) {
		return Awaitility.await()
			.alias("agent action " + actionId + " " + status)
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> agentAction(actionId), action -> status.equals(action.path("status").asText()));
	}

	/** The review task of an agent action; its process instance's business key is the action id. */
	private Task awaitAgentReviewTask(String actionId) {
		return Awaitility.await()
			.alias("Task_ReviewToolCall of agent action " + actionId)
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.processEngine.getTaskService()
				.createTaskQuery()
				.processInstanceBusinessKey(actionId)
				.taskDefinitionKey("Task_ReviewToolCall")
				.singleResult(), task -> task != null);
	}

	/** A variable of the response's process instance, from the engine's history (level full). */
	private Object submittedVariable(String responseId, String name) {
		HistoryService history = this.processEngine.getHistoryService();
		HistoricProcessInstance instance = history.createHistoricProcessInstanceQuery()
			.processInstanceBusinessKey(responseId)
			.processDefinitionKey("approval-gate")
			.singleResult();
		HistoricVariableInstance variable = history.createHistoricVariableInstanceQuery()
			.processInstanceId(instance.getId())
			.variableName(name)
			.singleResult();
		return variable == null ? null : variable.getValue();
	}

	// --- Tasklist, as a person uses it ---

	/** Tests name their engine uniquely, so Tasklist is addressed by engine name rather than as "default". */
	private String tasklistUrl() {
		return "http://localhost:" + this.port + "/camunda/app/tasklist/" + this.processEngine.getName() + "/";
	}

	private void logIn(String user) {
		this.driver.get(tasklistUrl());
		WebElement username = this.wait.until(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector("form[name=signinForm] input[ng-model=username]")));
		// The user name field is autofocused once the sign-in view has rendered, which can be after it is visible:
		// typing before that lets the focus jump back mid-way and the password land in the user name.
		this.wait.until(driver -> username.equals(driver.switchTo().activeElement()));
		username.sendKeys(user);
		WebElement password = this.driver.findElement(By.cssSelector("form[name=signinForm] input[ng-model=password]"));
		password.sendKeys(user);
		this.wait.until(driver -> user.equals(username.getDomProperty("value"))
				&& user.equals(password.getDomProperty("value")));
		this.driver.findElement(By.cssSelector("form[name=signinForm] button[type=submit]")).click();
		this.wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[cam-tasks]")));
	}

	private void openMyApprovals() {
		this.wait.until(driver -> myApprovalsFilter().isPresent());
		if (!hasClass(myApprovalsFilter().orElseThrow(), "active")) {
			myApprovalsFilter().orElseThrow().findElement(By.cssSelector("h4.name a")).click();
			this.wait.until(driver -> myApprovalsFilter().filter(filter -> hasClass(filter, "active")).isPresent());
		}
	}

	/** The filter entry in Tasklist's left column; its name link also holds the task count. */
	private Optional<WebElement> myApprovalsFilter() {
		return this.driver.findElements(By.cssSelector(".task-filter"))
			.stream()
			.filter(filter -> filter.findElement(By.cssSelector("h4.name a")).getText().strip().startsWith("My approvals"))
			.findFirst();
	}

	/**
	 * Other approvals may be waiting too: find the entry whose identity column (a task-local display variable, the one
	 * thing of the process an approver may read in the list) shows this identity, and open it, as a person would.
	 */
	private void openApprovalTaskOf(String identityId) {
		By entry = By.xpath("//ol[contains(@class,'tasks-list')]/li[contains(@class,'task')][contains(., '" + identityId
				+ "')]//h4[contains(@class,'task')]/a[starts-with(normalize-space(),'Approve credential.rotate of ')]");
		WebElement link = this.wait.until(ExpectedConditions.visibilityOfElementLocated(entry));
		WebElement item = link.findElement(By.xpath("./ancestor::li[contains(@class,'task')]"));
		assertThat(item.getText()).contains("production");
		String taskId = link.getDomAttribute("href").substring(link.getDomAttribute("href").indexOf("task=") + 5);
		link.click();
		this.wait.until(ExpectedConditions.urlContains("task=" + taskId));
		this.wait.until(
				ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[cam-tasklist-form] form.fjs-form")));
		this.wait.until(driver -> summaryShown().contains(" of " + identityId + " "));
	}

	/** Opens the task from the current filter's list, as a person clicks it, and claims it. */
	private void openTask(Task task, PlaybookScenario scenario) {
		// Until the new form has loaded the pane may still show the previous task's: the identity tells them apart.
		openTask(task.getId(), scenario.identityId);
	}

	/**
	 * Opens the task from "My approvals", as a person clicks it, waits until its form shows {@code expected} in its
	 * text (the pane may still show the previous task's form until then), and claims it.
	 */
	private void openTask(String taskId, String expected) {
		openMyApprovals();
		this.wait
			.until(ExpectedConditions
				.elementToBeClickable(By.cssSelector("ol.tasks-list a[href='#/?task=" + taskId + "']")))
			.click();
		this.wait.until(ExpectedConditions.urlContains("task=" + taskId));
		this.wait.until(driver -> formText().contains(expected));
		claimIfUnassigned();
	}

	/** Every approval form shows who loses what and how it is undone, as staged for this response. */
	private void assertBlastRadiusAndRollbackPlanShown(PlaybookScenario scenario) {
		assertThat(cardText("Blast radius").getText()).contains("deploy-pipeline");
		// Markdown escapes vanish when rendered: the plan reads as stored.
		assertThat(cardText("Rollback").getText()).contains(scenario.response().rollbackPlan());
	}

	/** The text of every text view of the form as rendered, and the values of its fields. */
	private String formText() {
		try {
			return Stream
				.concat(this.driver.findElements(By.cssSelector("[cam-tasklist-form] form.fjs-form .fjs-form-field-text"))
					.stream()
					.map(text -> text.getDomProperty("textContent")),
						this.driver.findElements(By.cssSelector("[cam-tasklist-form] form.fjs-form input, "
								+ "[cam-tasklist-form] form.fjs-form textarea"))
							.stream()
							.map(input -> input.getDomProperty("value")))
				.filter(text -> text != null)
				.collect(Collectors.joining("\n"));
		}
		catch (StaleElementReferenceException ex) {
			return "";
		}
	}

	/** The card's first line, once the form shows it. */
	private String summaryShown() {
		List<WebElement> texts = this.driver
			.findElements(By.cssSelector("[cam-tasklist-form] form.fjs-form .fjs-form-field-text"));
		if (texts.isEmpty()) {
			return null;
		}
		String text = texts.get(0).getDomProperty("textContent").strip();
		return text.isEmpty() ? null : text + " ";
	}

	/** The form's text view that contains {@code contains}, once it shows. */
	private WebElement cardText(String contains) {
		return new WebDriverWait(this.driver, UI_TIMEOUT, Duration.ofMillis(100))
			.ignoring(StaleElementReferenceException.class)
			.withMessage("no text of the form contains '" + contains + "'")
			.until(driver -> cardTexts(contains).stream().findFirst().orElse(null));
	}

	private List<WebElement> cardTexts(String contains) {
		return this.driver.findElements(By.cssSelector("[cam-tasklist-form] form.fjs-form .fjs-form-field-text"))
			.stream()
			.filter(text -> text.getDomProperty("textContent").contains(contains))
			.toList();
	}

	/**
	 * The approver judges the card without scrolling: at 1366×768, with the task pane scrolled to the top, the summary,
	 * the risk line, the deadline, the blast radius and rollback plan (where the card has them) and the decision with
	 * its reason all lie inside the window and are not covered (Tasklist's footer is fixed over the bottom). The
	 * picture lands in {@code target/screenshots/<playbook>.png}.
	 */
	private void assertCardAboveTheFold(String playbook, String summary) {
		WebElement summaryText = cardText(summary);
		assertThat(summaryText.getDomProperty("textContent").strip()).startsWith(summary.strip());
		Map<String, WebElement> parts = new LinkedHashMap<>();
		parts.put("summary", summaryText);
		parts.put("risk line", cardText("privileges"));
		parts.put("deadline", cardText("expires in"));
		// The first of each: the details further down may name them too.
		cardTexts("Blast radius").stream().findFirst().ifPresent(text -> parts.put("blast radius", text));
		cardTexts("Rollback").stream().findFirst().ifPresent(text -> parts.put("rollback plan", text));
		parts.put("decision", this.driver.findElement(By.cssSelector("form.fjs-form .fjs-form-field-radio")));
		parts.put("reason", field("Reason"));
		((JavascriptExecutor) this.driver).executeScript("window.scrollTo(0, 0);"
				+ " document.querySelectorAll('*').forEach(e => { if (e.scrollTop > 0) { e.scrollTop = 0; } });");
		Path picture = this.screenshots.resolve(playbook + ".png");
		try {
			Files.write(picture, ((TakesScreenshot) this.driver).getScreenshotAs(OutputType.BYTES));
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		Number innerHeight = (Number) ((JavascriptExecutor) this.driver).executeScript("return window.innerHeight;");
		assertThat(innerHeight.intValue()).as("window height").isLessThanOrEqualTo(768);
		parts.forEach((name, element) -> {
			@SuppressWarnings("unchecked")
			Map<String, Object> seen = (Map<String, Object>) ((JavascriptExecutor) this.driver).executeScript("""
					const e = arguments[0], r = e.getBoundingClientRect();
					const x = r.left + Math.min(r.width / 2, 20), y = r.bottom - 2;
					const top = document.elementFromPoint(x, y);
					return {top: r.top, bottom: r.bottom, height: window.innerHeight,
					        uncovered: top !== null && (e === top || e.contains(top) || top.contains(e))};""", element);
			assertThat(((Number) seen.get("bottom")).doubleValue())
				.as(playbook + ": bottom of the " + name + " (" + seen + ")")
				.isLessThanOrEqualTo(((Number) seen.get("height")).doubleValue());
			assertThat(((Number) seen.get("top")).doubleValue()).as(playbook + ": top of the " + name).isGreaterThanOrEqualTo(0);
			assertThat(seen.get("uncovered")).as(playbook + ": the " + name + " is not covered (" + seen + ")")
				.isEqualTo(true);
		});
	}

	private void choose(String optionLabel) {
		WebElement option = radioOption(optionLabel);
		scrollIntoView(option);
		option.click();
		this.wait.until(driver -> radioInput(option).isSelected());
	}

	private void type(String label, String text) {
		WebElement input = this.wait.until(driver -> field(label));
		scrollIntoView(input);
		input.sendKeys(text);
		this.wait.until(driver -> text.equals(input.getDomProperty("value")));
	}

	/**
	 * Types over whatever the field holds (select all, type) and leaves it with Tab, until it holds {@code text}.
	 *
	 * <p>form-js takes a typed value into the form's data only 300 ms after the last keystroke, or when the field loses
	 * focus; any re-render before that resets the field to the data, wiping what was typed. Its number field causes
	 * such a re-render by itself: on the render after its value changes (or after it appears) it sends its own value
	 * once more, debounced, 300 ms later. A text typed into another field in that window is lost (the field then shows
	 * "Field is required"). Leaving each field with Tab hands its value over at once; if the stray re-render wiped it
	 * while it was being typed, it is typed again. The stray re-render comes only once per change, so this settles.
	 */
	private void enter(String label, String text) {
		WebElement input = this.wait.until(driver -> field(label));
		scrollIntoView(input);
		this.wait.until(driver -> {
			if (!text.equals(input.getDomProperty("value"))) {
				input.sendKeys(Keys.chord(Keys.CONTROL, "a"), text, Keys.TAB);
			}
			return text.equals(input.getDomProperty("value"));
		});
	}

	private WebElement completeButton() {
		return this.wait.until(ExpectedConditions.elementToBeClickable(
				By.xpath("//div[contains(@class,'form-actions')]//button[normalize-space()='Complete']")));
	}

	private void complete() {
		String taskUrl = this.driver.getCurrentUrl();
		clickComplete();
		awaitCompletionIn(taskUrl);
	}

	private void clickComplete() {
		WebElement complete = completeButton();
		scrollIntoView(complete);
		// Tasklist's fixed footer overlaps the bottom of the task pane by a few pixels: click where the button shows.
		this.wait.until(driver -> ((JavascriptExecutor) driver).executeScript(
				"const r = arguments[0].getBoundingClientRect();"
						+ " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === arguments[0];",
				complete));
		complete.click();
	}

	/**
	 * Clicks Complete on a form the engine will refuse: returns Tasklist's error once it shows, and fails if the task
	 * leaves the list instead.
	 */
	private String completeExpectingRefusal() {
		String taskUrl = this.driver.getCurrentUrl();
		String taskId = taskUrl.substring(taskUrl.indexOf("task=") + "task=".length());
		By taskLink = By.cssSelector("ol.tasks-list a[href='#/?task=" + taskId + "']");
		clickComplete();
		String errors = new WebDriverWait(this.driver, UI_TIMEOUT, Duration.ofMillis(100))
			.withMessage("Tasklist showed no error for a completion the engine refuses")
			.until(driver -> {
				String shown = visibleErrors();
				if (!shown.isEmpty()) {
					return shown;
				}
				if (driver.findElements(taskLink).isEmpty() && !driver.getCurrentUrl().contains(taskId)) {
					fail("Tasklist completed a task the engine should have refused");
				}
				return null;
			});
		saveEvidence("refused-completion");
		return errors;
	}

	/** Tasklist keeps a task's form read-only until the task is assigned to the person looking at it. */
	private void claimIfUnassigned() {
		List<WebElement> claim = this.driver.findElements(By.cssSelector("button.claim"));
		if (!claim.isEmpty()) {
			claim.get(0).click();
		}
		this.wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("button.claim")));
		this.wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[cam-tasklist-form] .disabled-form"), 0));
	}

	/** The form-js field whose label starts with {@code label}; its id is random per rendering, its label is not. */
	private WebElement field(String label) {
		WebElement labelElement = this.driver.findElement(fieldLabel(label));
		return this.driver.findElement(By.id(labelElement.getDomAttribute("for")));
	}

	/** Form-js leaves a field hidden by its condition out of the page, label and all. */
	private List<WebElement> labels(String label) {
		return this.driver.findElements(fieldLabel(label));
	}

	private static By fieldLabel(String label) {
		return By.xpath("//form[contains(@class,'fjs-form')]"
				+ "//label[contains(@class,'fjs-form-field-label')][@for][starts-with(normalize-space(), '" + label
				+ "')]");
	}

	private ExpectedCondition<String> nonEmptyValueOf(String label) {
		return driver -> {
			try {
				String value = field(label).getDomProperty("value");
				return value == null || value.isEmpty() ? null : value;
			}
			catch (StaleElementReferenceException | org.openqa.selenium.NoSuchElementException ex) {
				return null;
			}
		};
	}

	/** A radio option is a label wrapping its input; clicking the label is clicking the option. */
	private WebElement radioOption(String optionLabel) {
		return this.driver.findElement(By.xpath("//form[contains(@class,'fjs-form')]"
				+ "//div[contains(@class,'fjs-form-field-radio')]//label[normalize-space()='" + optionLabel + "']"));
	}

	private static WebElement radioInput(WebElement option) {
		return option.findElement(By.cssSelector("input[type=radio]"));
	}

	/**
	 * Waits until Tasklist has taken the task off the list, or fails with what it shows instead (a refused
	 * completion appears as a red notification, e.g. "Refused by rule 'fingerprint-match'").
	 */
	private void awaitCompletionIn(String taskUrl) {
		String taskId = taskUrl.substring(taskUrl.indexOf("task=") + "task=".length());
		By taskLink = By.cssSelector("ol.tasks-list a[href='#/?task=" + taskId + "']");
		String outcome = new WebDriverWait(this.driver, UI_TIMEOUT, Duration.ofMillis(100))
			.withMessage("Tasklist neither completed the task nor showed an error")
			.until(driver -> {
				String errors = visibleErrors();
				if (!errors.isEmpty()) {
					return "error: " + errors;
				}
				return driver.findElements(taskLink).isEmpty() && !driver.getCurrentUrl().contains(taskId) ? "completed"
						: null;
			});
		if (!outcome.equals("completed")) {
			fail("Tasklist refused the completion: " + outcome);
		}
	}

	/** Tasklist's red notifications and form failures, as "status: message"; read from the DOM as they fade in. */
	private String visibleErrors() {
		return this.driver
			.findElements(By.cssSelector(".page-notifications .alert-danger, [cam-tasklist-form] .alert-danger:not(.ng-hide)"))
			.stream()
			.map(alert -> Stream.of(".status", ".message")
				.flatMap(part -> alert.findElements(By.cssSelector(part)).stream())
				.map(part -> part.getDomProperty("textContent").replaceAll("\\s+", " ").strip())
				.filter(text -> !text.isEmpty())
				.collect(Collectors.joining(" ")))
			.filter(text -> !text.isEmpty())
			.collect(Collectors.joining(" | "));
	}

	private void scrollIntoView(WebElement element) {
		scrollIntoView(element, "center");
	}

	/** The form scrolls inside Tasklist's task pane, not the window; Selenium's own scrolling misses it. */
	private void scrollIntoView(WebElement element, String block) {
		((JavascriptExecutor) this.driver).executeScript("arguments[0].scrollIntoView({block: arguments[1]});",
				element, block);
	}

	private static boolean hasClass(WebElement element, String cssClass) {
		String classes = element.getDomAttribute("class");
		return classes != null && List.of(classes.split("\\s+")).contains(cssClass);
	}

	/**
	 * Decided before Spring starts: without Chromium the class is skipped with the reason, except in CI
	 * ({@code CI=true}), where it fails instead.
	 */
	static final class RequiresChromium implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
				return ConditionEvaluationResult.enabled(CHROMIUM + " and " + CHROMEDRIVER + " are present");
			}
			String missing = CHROMIUM + " or " + CHROMEDRIVER
					+ " is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new IllegalStateException("CI=true but " + missing);
			}
			return ConditionEvaluationResult.disabled("Browser test skipped: " + missing);
		}

	}

	// --- Evidence under target/browser ---

	private Path screenshot(String name) {
		try {
			Path file = this.evidence.resolve(name + ".png");
			Files.write(file, ((TakesScreenshot) this.driver).getScreenshotAs(OutputType.BYTES));
			return file;
		}
		catch (IOException | RuntimeException ex) {
			System.err.println("Could not save screenshot " + name + ": " + ex);
			return null;
		}
	}

	/** The form scrolls inside the task pane: a tall window for a moment shows all of it at once. */
	private void screenshotOfWholeForm(String name) {
		Dimension size = this.driver.manage().window().getSize();
		Number formHeight = (Number) ((JavascriptExecutor) this.driver)
			.executeScript("return document.querySelector('[cam-tasklist-form]').scrollHeight;");
		this.driver.manage().window().setSize(new Dimension(size.getWidth(), size.getHeight() + formHeight.intValue()));
		try {
			scrollIntoView(this.driver.findElement(By.cssSelector("[cam-tasklist-form]")), "start");
			screenshot(name);
		}
		finally {
			this.driver.manage().window().setSize(size);
		}
	}

	private void saveEvidence(String name) {
		screenshot(name);
		try {
			Files.writeString(this.evidence.resolve(name + ".html"),
					"<!-- " + this.driver.getCurrentUrl() + " -->\n" + this.driver.getPageSource());
		}
		catch (IOException | RuntimeException ex) {
			System.err.println("Could not save page source " + name + ": " + ex);
		}
	}

	private void saveConsole(String name) {
		try {
			List<LogEntry> entries = this.driver.manage().logs().get(LogType.BROWSER).getAll();
			Files.write(this.evidence.resolve(name + ".log"), entries.stream().map(LogEntry::toString).toList());
		}
		catch (IOException | RuntimeException ex) {
			System.err.println("Could not save browser console " + name + ": " + ex);
		}
	}

	/** Best effort: a leftover file must not fail the test. */
	private static void deleteRecursively(Path directory) {
		if (directory == null || !Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException | RuntimeException ex) {
			System.err.println("Could not delete " + directory + ": " + ex);
		}
	}

}
