package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.countersign.audit.Ledger;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Inventory;
import io.countersign.inventory.PrivilegeLevel;
import io.countersign.playbook.GuardedActionProcess;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.receipt.VerifiedReceipt;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;
import io.countersign.support.ModelSet;
import io.countersign.support.ProcessEngineTest;
import io.countersign.support.ResponseScenario;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.IdentityLink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * The shared gate through the guarded action every playbook calls, driven by the test-only playbook
 * {@link GateHarness}: quorum, separation of duties, escalation and expiry as the policy sets them, receipts, and
 * races between approvers.
 */
@ProcessEngineTest
@Import(GateHarness.class)
class ApprovalGateProcessTest {

	/** A third platform owner, created for the race tests only. */
	private static final String PAT = "pat";

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	Inventory inventory;

	@Autowired
	Responses responses;

	@Autowired
	RuntimeService runtimeService;

	@Autowired
	TaskService taskService;

	@Autowired
	IdentityService identityService;

	@Autowired
	ManagementService managementService;

	@Autowired
	RepositoryService repositoryService;

	@Autowired
	ReceiptVerifier receiptVerifier;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	ApprovalCards cards;

	@Autowired
	ApprovalGate gate;

	@Autowired
	Ledger ledger;

	private final List<String> deployments = new ArrayList<>();

	@BeforeEach
	void setUp() {
		init(this.processEngine);
	}

	@AfterEach
	void removeTestDeploymentsAndUsers() {
		this.deployments.forEach(id -> this.repositoryService.deleteDeployment(id, true));
		this.identityService.deleteUser(PAT);
	}

	private ResponseScenario scenario(ResponseScenario.Options options) {
		return new ResponseScenario(this.processEngine, this.inventory, this.responses, options);
	}

	private ResponseScenario critical() {
		return scenario(harness().severity(Severity.CRITICAL));
	}

	private static ResponseScenario.Options harness() {
		return ResponseScenario.Options.gateHarness();
	}

	private static ProcessInstance staged(ResponseScenario scenario, String requester) {
		ProcessInstance instance = scenario.requestedBy(requester);
		assertThat(instance).isWaitingAt(GateHarness.TASK_STAGE);
		execute(job());
		assertThat(instance).isWaitingAt(GateHarness.CALL_GUARDED_ACTION);
		assertThat(scenario.guardedInstance()).isWaitingAt(GuardedActionProcess.CALL_APPROVAL_GATE);
		return instance;
	}

	/** The gate let the action through: the guarded action waits to apply it. */
	private static ProcessInstance waitingToApply(ResponseScenario scenario) {
		ProcessInstance guarded = scenario.guardedInstance();
		assertThat(guarded).isWaitingAt(GuardedActionProcess.TASK_APPLY);
		return guarded;
	}

	private ResponseView.ApprovalView approval(ResponseScenario scenario) {
		return scenario.response().approvals().get(scenario.response().approvals().size() - 1);
	}

	@Test
	void shouldRequireTwoDistinctApproversForACriticalProductionRotation() {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		assertThat(approval(rotation).policyRule()).isEqualTo("rotate-production-critical");
		assertThat(approval(rotation).policyVersion()).startsWith("approval-policy:");
		assertThat(approval(rotation).requiredApprovals()).isEqualTo(2);
		assertThat(rotation.approvalTask().getName()).endsWith("(1 of 2)");

		rotation.approveAs("bob");
		assertThat(rotation.gateInstance()).isWaitingAt(ApprovalGateProcess.TASK_APPROVE);
		assertThat(rotation.approvalTask().getName()).endsWith("(2 of 2)");
		assertThat(this.runtimeService.getVariable(rotation.gateInstance().getId(), "approvalsStillNeeded"))
			.isEqualTo(1);
		assertThatThrownBy(() -> rotation.approveAs("bob")).isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("distinct-approvers");
		assertThat(rotation.credential().currentVersion()).isEqualTo(1);

		rotation.approveAs("paul");
		waitingToApply(rotation);
		rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(GateHarness.END_COMPLETED);
		assertThat(rotation.credential().currentVersion()).isEqualTo(2);
		assertThat(approval(rotation).status()).isEqualTo("APPROVED");
		assertThat(rotation.response().decisions()).extracting(ResponseView.DecisionView::approver)
			.containsExactly("bob", "paul");
		assertThat(rotation.response().timeline()).extracting(ResponseView.TimelineEntry::type)
			.containsSubsequence("POLICY_EVALUATED", "TASK_CREATED", "DECIDED", "TASK_CREATED", "DECIDED",
					"QUORUM_REACHED", "APPLIED");
	}

	/**
	 * Tasklist sorts and warns by the engine's own task fields: the due date is the request's expiry, the follow-up
	 * date its escalation, the priority its severity. They come from the stored request, and so does the card.
	 */
	@Test
	void shouldPutTheExpiryEscalationAndSeverityOnTheApprovalTask() {
		ResponseScenario rotation = critical();
		staged(rotation, "scanner");
		org.camunda.bpm.engine.task.Task task = rotation.approvalTask();
		ApprovalTasks.ApprovalTask recorded = this.jdbc
			.sql("select task_id, request_id, response_id from approval_task where task_id = ?")
			.param(task.getId())
			.query((rs, row) -> new ApprovalTasks.ApprovalTask(rs.getString(1), rs.getString(2), rs.getString(3)))
			.single();
		ApprovalRequest request = this.gate.request(recorded.requestId(), recorded.responseId());

		// The engine keeps task dates to the millisecond.
		assertThat(task.getDueDate().toInstant()).isEqualTo(request.createdAt()
			.plus(java.time.Duration.parse(request.expireAfter()))
			.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
		assertThat(task.getFollowUpDate().toInstant()).isEqualTo(request.createdAt()
			.plus(java.time.Duration.parse(request.escalateAfter()))
			.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
		assertThat(task.getPriority()).isEqualTo(100);

		ApprovalCard card = this.cards.card(task.getId()).orElseThrow();
		assertThat(card.summary()).isEqualTo("Rotate access token " + rotation.credentialId + " of "
				+ rotation.identityId + " from version 1 to version 2");
		assertThat(card.riskLine()).startsWith("production · severity critical · ");
		assertThat(card.dueAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
			.isEqualTo(task.getDueDate().toInstant());
		assertThat(card.followUpAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
			.isEqualTo(task.getFollowUpDate().toInstant());
		assertThat(card.candidateGroups()).containsExactly("platform-owners");
		assertThat(card.requestedBy()).isEqualTo("scanner");
		assertThat(this.cards.card("no-such-task")).isEmpty();
		// The task list's columns are on the task, where its candidates may read them, not on the process.
		assertThat(this.taskService.getVariablesLocal(task.getId())).containsExactlyInAnyOrderEntriesOf(
				java.util.Map.of("severity", "critical", "environment", "production", "identity", rotation.identityId));
	}

	@Test
	void shouldRejectOnOneRejectionEvenAfterAnApproval() {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		rotation.approveAs("bob");
		ProcessInstance guarded = rotation.guardedInstance();
		rotation.rejectAs("paul");
		rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(GateHarness.END_REJECTED);
		assertThat(guarded).isEnded().hasNotPassed(GuardedActionProcess.TASK_APPLY);
		assertThat(rotation.response().status()).isEqualTo(ResponseStatus.REJECTED);
		assertThat(approval(rotation).status()).isEqualTo("REJECTED");
		assertThat(rotation.credential().currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldKeepEarlierApprovalsAndTheQuorumWhenEscalating() {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		rotation.approveAs("bob");
		// Not a candidate yet: the engine's own task authorization refuses before the gate is asked.
		assertThatThrownBy(() -> rotation.approveAs("dave")).isInstanceOf(AuthorizationException.class);

		rotation.fireGateTimer(ApprovalGateProcess.BOUNDARY_ESCALATION);
		assertThat(this.taskService.getIdentityLinksForTask(rotation.approvalTask().getId()))
			.extracting(IdentityLink::getGroupId)
			.containsExactlyInAnyOrder("platform-owners", "security-leads");
		assertThat(approval(rotation).escalatedAt()).isNotNull();
		assertThat(approval(rotation).requiredApprovals()).isEqualTo(2);

		rotation.approveAs("dave");
		waitingToApply(rotation);
		assertThat(rotation.response().decisions()).extracting(ResponseView.DecisionView::approver)
			.containsExactly("bob", "dave");
	}

	@Test
	void shouldDenyWhenTheQuorumIsIncompleteAtExpiry() {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		rotation.approveAs("bob");
		ProcessInstance guarded = rotation.guardedInstance();

		rotation.fireGateTimer(ApprovalGateProcess.BOUNDARY_EXPIRED);
		rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(GateHarness.END_EXPIRED);
		assertThat(guarded).isEnded().hasNotPassed(GuardedActionProcess.TASK_APPLY);
		assertThat(rotation.response().status()).isEqualTo(ResponseStatus.EXPIRED);
		assertThat(approval(rotation).status()).isEqualTo("EXPIRED");
		// The approval given before expiry stays on record; it just never became a quorum.
		assertThat(rotation.response().decisions()).extracting(ResponseView.DecisionView::approver)
			.containsExactly("bob");
		assertThat(rotation.credential().currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldAskOneApproverInDevelopment() {
		ResponseScenario rotation = scenario(harness()
			.environment(Environment.DEVELOPMENT)
			.severity(Severity.CRITICAL)
			.privilegeLevel(PrivilegeLevel.ADMIN));
		ProcessInstance instance = staged(rotation, "scanner");
		assertThat(approval(rotation).policyRule()).isEqualTo("rotate-development");
		rotation.approveAs("bob");
		waitingToApply(rotation);
		assertThat(instance).isWaitingAt(GateHarness.CALL_GUARDED_ACTION);
	}

	@Test
	void shouldAskTwoApproversForAnAdminLevelIdentityInProduction() {
		ResponseScenario rotation = scenario(
				harness().privilegeLevel(PrivilegeLevel.ADMIN));
		staged(rotation, "scanner");
		assertThat(approval(rotation).policyRule()).isEqualTo("rotate-production-admin");
		assertThat(approval(rotation).requiredApprovals()).isEqualTo(2);
	}

	@Test
	void shouldDenyAndSayWhyWhenNoPolicyRuleMatches() {
		deployPolicy("""
				<rule id="Rule_OnlyDeletes">
				  <inputEntry id="InputEntry_OnlyDeletes_ActionType"><text>"credential.delete"</text></inputEntry>
				  <inputEntry id="InputEntry_OnlyDeletes_Environment"><text></text></inputEntry>
				  <inputEntry id="InputEntry_OnlyDeletes_Severity"><text></text></inputEntry>
				  <inputEntry id="InputEntry_OnlyDeletes_PrivilegeLevel"><text></text></inputEntry>
				  <inputEntry id="InputEntry_OnlyDeletes_CustomerFacing"><text></text></inputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_Rule"><text>"only-deletes"</text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_ApproverGroup"><text>"platform-owners"</text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_RequiredApprovals"><text>1</text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_EscalateAfter"><text>"PT1H"</text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_EscalationGroup"><text>"security-leads"</text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_ExpireAfter"><text>"PT2H"</text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_ContainFirst"><text></text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_RequiredGroup"><text></text></outputEntry>
				  <outputEntry id="OutputEntry_OnlyDeletes_RollbackWindow"><text></text></outputEntry>
				</rule>""");
		ResponseScenario rotation = scenario(harness());
		ProcessInstance instance = rotation.requestedBy("scanner");
		assertThat(instance).isWaitingAt(GateHarness.TASK_STAGE);
		execute(job());

		assertThat(instance).isEnded().hasPassed(GateHarness.END_DENIED);
		assertThat(this.runtimeService.createProcessInstanceQuery()
			.processInstanceBusinessKey(rotation.responseId)
			.processDefinitionKey(ApprovalGateProcess.PROCESS_KEY)
			.count()).as("the gate never ran").isZero();
		ResponseView response = rotation.response();
		assertThat(response.status()).isEqualTo(ResponseStatus.DENIED);
		assertThat(approval(rotation).status()).isEqualTo("DENIED");
		assertThat(approval(rotation).deniedReason()).contains("no rule of approval-policy:")
			.contains("credential.rotate");
		assertThat(response.timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("no rule of approval-policy:"));
		assertThat(this.taskService.createTaskQuery().processInstanceBusinessKey(rotation.responseId).count())
			.isZero();
		assertThat(rotation.credential().currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldDenyWhenTheMatchedRuleNamesAGroupThatCannotApprove() {
		deployPolicy("""
				<rule id="Rule_Broken">
				  <inputEntry id="InputEntry_Broken_ActionType"><text></text></inputEntry>
				  <inputEntry id="InputEntry_Broken_Environment"><text></text></inputEntry>
				  <inputEntry id="InputEntry_Broken_Severity"><text></text></inputEntry>
				  <inputEntry id="InputEntry_Broken_PrivilegeLevel"><text></text></inputEntry>
				  <inputEntry id="InputEntry_Broken_CustomerFacing"><text></text></inputEntry>
				  <outputEntry id="OutputEntry_Broken_Rule"><text>"broken"</text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_ApproverGroup"><text>"integrators"</text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_RequiredApprovals"><text>1</text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_EscalateAfter"><text>"PT1H"</text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_EscalationGroup"><text>"security-leads"</text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_ExpireAfter"><text>"PT2H"</text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_ContainFirst"><text></text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_RequiredGroup"><text></text></outputEntry>
				  <outputEntry id="OutputEntry_Broken_RollbackWindow"><text></text></outputEntry>
				</rule>""");
		ResponseScenario rotation = scenario(harness());
		ProcessInstance instance = rotation.requestedBy("scanner");
		assertThat(instance).isWaitingAt(GateHarness.TASK_STAGE);
		execute(job());

		assertThat(instance).isEnded().hasPassed(GateHarness.END_DENIED);
		assertThat(approval(rotation).deniedReason()).contains("rule 'broken'").contains("integrators");
	}

	@Test
	void shouldRefuseTheIdentityOwnerWhenTheOwnerIsAPerson() {
		ResponseScenario rotation = scenario(harness().owner("bob"));
		ProcessInstance instance = staged(rotation, "scanner");
		assertThatThrownBy(() -> rotation.approveAs("bob")).isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("not-identity-owner");
		// The refused completion rolled back; the attempt itself stays in the ledger.
		assertThat(rotation.response().timeline()).last().satisfies(entry -> {
			assertThat(entry.type()).isEqualTo("REFUSED");
			assertThat(entry.actor()).isEqualTo("bob");
			assertThat(entry.detail()).contains("not-identity-owner");
		});
		assertThat(rotation.response().decisions()).isEmpty();
		rotation.approveAs("paul");
		waitingToApply(rotation);
		assertThat(instance).isWaitingAt(GateHarness.CALL_GUARDED_ACTION);
		assertThat(this.ledger.verify().ok()).isTrue();
	}

	@Test
	void shouldRefuseAnAgentAccountEvenWhenItIsInTheApproverGroup() {
		ResponseScenario rotation = scenario(harness());
		// Before the request: a membership granted after it would not count anyway (membership-predates-request).
		this.identityService.createMembership("research-bot", "platform-owners");
		try {
			staged(rotation, "scanner");
			assertThatThrownBy(() -> rotation.approveAs("research-bot")).isInstanceOf(ApprovalRefusedException.class)
				.hasMessageContaining("agent-never-approves");
		}
		finally {
			this.identityService.deleteMembership("research-bot", "platform-owners");
		}
		assertThat(rotation.response().decisions()).isEmpty();
	}

	@Test
	void shouldRefuseTheCredentialCreator() {
		ResponseScenario rotation = scenario(harness().credentialCreatedBy("paul"));
		staged(rotation, "scanner");
		assertThatThrownBy(() -> rotation.approveAs("paul")).isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("not-credential-creator");
		assertThat(rotation.response().decisions()).isEmpty();
	}

	@Test
	void shouldIgnoreAnApprovalStateSetThroughVariables() {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		// Someone with update rights on the instance tries to skip the quorum.
		this.runtimeService.setVariable(rotation.gateInstance().getId(), "approvalState", "APPROVED");
		this.runtimeService.setVariable(rotation.gateInstance().getId(), "requiredApprovals", 1);

		rotation.approveAs("bob");

		assertThat(rotation.gateInstance()).isWaitingAt(ApprovalGateProcess.TASK_APPROVE);
		assertThat(rotation.guardedInstance()).isWaitingAt(GuardedActionProcess.CALL_APPROVAL_GATE);
		assertThat(instance).isWaitingAt(GateHarness.CALL_GUARDED_ACTION);
		assertThat(approval(rotation).status()).isEqualTo("OPEN");
	}

	@Test
	void shouldRecordExactlyOneDecisionWhenTwoApproversCompleteAtTheSameMoment() throws Exception {
		ResponseScenario rotation = scenario(harness());
		ProcessInstance instance = staged(rotation, "scanner");
		createThirdPlatformOwner();

		List<Throwable> failures = race(rotation, List.of(() -> rotation.approveAs("bob"),
				() -> rotation.rejectAs("paul")));

		assertThat(failures).hasSize(1);
		List<ResponseView.DecisionView> decisions = rotation.response().decisions();
		assertThat(decisions).hasSize(1);
		boolean approved = decisions.get(0).decision().equals("APPROVE");
		if (approved) {
			waitingToApply(rotation);
		}
		else {
			rotation.runJobs();
			assertThat(instance).isEnded().hasPassed(GateHarness.END_REJECTED);
		}
	}

	@Test
	void shouldApplyExactlyOnceWhenASecondAndThirdApproverRaceForATwoOfNQuorum() throws Exception {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		createThirdPlatformOwner();
		rotation.approveAs("bob");

		List<Throwable> failures = race(rotation, List.of(() -> rotation.approveAs("paul"),
				() -> rotation.approveAs(PAT)));

		assertThat(failures).hasSize(1);
		assertThat(rotation.response().decisions()).hasSize(2);
		ProcessInstance guarded = waitingToApply(rotation);
		assertThat(this.managementService.createJobQuery().processInstanceId(guarded.getId()).count()).isEqualTo(1);
		rotation.runJobs();
		assertThat(instance).isEnded().hasPassed(GateHarness.END_COMPLETED);
		assertThat(rotation.credential().versions()).hasSize(2);
	}

	@Test
	void shouldIssueASignedReceiptNamingTheQuorum() {
		ResponseScenario rotation = critical();
		ProcessInstance instance = staged(rotation, "scanner");
		rotation.approveAs("bob");
		rotation.approveAs("paul");
		ProcessInstance guarded = waitingToApply(rotation);

		VerifiedReceipt receipt = this.receiptVerifier.verify(receiptOf(rotation), rotation.responseId,
				rotation.stagedFingerprint());
		assertThat(receipt.approvers()).containsExactly("bob", "paul");
		assertThat(receipt.policyRule()).isEqualTo("rotate-production-critical");
		assertThat(receipt.id()).isEqualTo(approval(rotation).receiptId());
		assertThat(receipt.expiresAt()).isEqualTo(approval(rotation).receiptExpiresAt());
		assertThat(rotation.response().timeline()).extracting(ResponseView.TimelineEntry::type)
			.contains("RECEIPT_ISSUED");
		// The token itself is never a process variable: whoever may read the instance must not hold it.
		for (ProcessInstance running : List.of(instance, guarded)) {
			assertThat(this.runtimeService.getVariables(running.getId()).values())
				.noneMatch(value -> value instanceof String text && text.contains(receiptOf(rotation)));
		}
	}

	@Test
	void shouldRefuseToApplyWithAReceiptSomeoneAlreadySpent() {
		ResponseScenario rotation = scenario(harness());
		ProcessInstance instance = staged(rotation, "scanner");
		rotation.approveAs("bob");
		ProcessInstance guarded = waitingToApply(rotation);
		this.receiptVerifier.verifyAndConsume(receiptOf(rotation), rotation.responseId, rotation.stagedFingerprint(),
				"somebody-else");

		rotation.runJobs();

		assertThat(instance).isEnded().hasPassed(GateHarness.END_BLOCKED);
		assertThat(guarded).isEnded().hasNotPassed(GuardedActionProcess.TASK_VERIFY);
		assertThat(rotation.response().status()).isEqualTo(ResponseStatus.FAILED);
		assertThat(rotation.response().timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("replayed"));
		assertThat(rotation.credential().currentVersion()).isEqualTo(1);
	}

	@Test
	void shouldRefuseToApplyWithAnotherResponsesReceipt() {
		ResponseScenario first = scenario(harness());
		ProcessInstance firstInstance = staged(first, "scanner");
		first.approveAs("bob");
		ResponseScenario second = scenario(harness());
		staged(second, "scanner");
		second.approveAs("bob");
		// Someone with database or variable access swaps in a receipt approved for a different response.
		this.jdbc.sql("update approval_request set receipt_token = ? where response_id = ?")
			.params(receiptOf(second), first.responseId)
			.update();

		waitingToApply(first);
		first.runJobs();

		assertThat(firstInstance).isEnded().hasPassed(GateHarness.END_BLOCKED);
		assertThat(first.response().timeline()).last()
			.satisfies(entry -> assertThat(entry.detail()).contains("subject-mismatch"));
		assertThat(first.credential().currentVersion()).isEqualTo(1);
	}

	private String receiptOf(ResponseScenario scenario) {
		return this.jdbc.sql("select receipt_token from approval_request where response_id = ? and status = 'APPROVED'")
			.param(scenario.responseId)
			.query(String.class)
			.single();
	}

	/** Runs the completions at the same moment; returns what failed. */
	private List<Throwable> race(ResponseScenario rotation, List<Runnable> completions) throws Exception {
		// Both sides read the same open task before either completes it.
		rotation.approvalTask();
		CyclicBarrier start = new CyclicBarrier(completions.size());
		ExecutorService pool = Executors.newFixedThreadPool(completions.size());
		try {
			List<CompletableFuture<Throwable>> results = completions.stream()
				.map(completion -> CompletableFuture.supplyAsync(() -> {
					try {
						start.await(10, TimeUnit.SECONDS);
						completion.run();
						return (Throwable) null;
					}
					catch (Throwable ex) {
						return ex;
					}
				}, pool))
				.toList();
			List<Throwable> failures = new ArrayList<>();
			for (CompletableFuture<Throwable> result : results) {
				Throwable failure = result.get(60, TimeUnit.SECONDS);
				if (failure != null) {
					failures.add(failure);
				}
			}
			return failures;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private void createThirdPlatformOwner() {
		User user = this.identityService.newUser(PAT);
		user.setFirstName("Pat");
		user.setLastName("Platform");
		user.setPassword(PAT);
		this.identityService.saveUser(user);
		this.identityService.createMembership(PAT, "platform-owners");
	}

	/**
	 * Deploys the models tests run (the shipped ones and the harness) with a policy of only the given rules, as one
	 * complete set, so that responses started from now on run under it; removed again after the test.
	 */
	private void deployPolicy(String rules) {
		ModelSet shipped = ModelSet.shipped();
		String dmn = shipped.content("approval-policy.dmn");
		int start = dmn.indexOf("      <rule ");
		int end = dmn.indexOf("    </decisionTable>");
		String policy = dmn.substring(0, start) + rules + "\n" + dmn.substring(end);
		this.deployments.add(ModelSet.shippedWithTestModels()
			.with("approval-policy.dmn", policy)
			.deploy(this.repositoryService, "test policy"));
	}

}
