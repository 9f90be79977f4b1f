package io.countersign.agent;

import java.time.Duration;
import java.util.Map;

import io.countersign.audit.Ledger;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.receipt.VerifiedReceipt;
import io.countersign.support.ProcessEngineTest;
import io.countersign.toolserver.ToolCallVerifier;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

@ProcessEngineTest
class AgentToolAccessProcessTest {

	static final String REFUND = "{\"orderId\": \"ORD-1234\", \"amount\": 25.00, \"currency\": \"EUR\"}";

	@Autowired
	ProcessEngine engine;

	@Autowired
	AgentActions actions;

	@Autowired
	Ledger ledger;

	@Autowired
	ReceiptVerifier receiptVerifier;

	private AgentScenario scenario;

	@BeforeEach
	void scenario() {
		this.scenario = new AgentScenario(this.engine, this.actions, this.ledger);
	}

	@Test
	void shouldIssueAReceiptBoundToToolAndArgumentsWhenTheReviewerApproves() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND);
		ProcessInstance instance = this.scenario.instance(action);
		assertThat(action.status()).isEqualTo(AgentActionStatus.PENDING);
		assertThat(instance).isWaitingAt(AgentToolAccessProcess.TASK_REVIEW);
		assertThat(this.scenario.reviewTask(action)).hasCandidateGroup("agent-reviewers");
		assertThat(instance).variables()
			.containsEntry("agent", this.scenario.agent)
			.containsEntry("tool", "payments.refund")
			.containsEntry("argumentsDisplay", "{\"amount\":25,\"currency\":\"EUR\",\"orderId\":\"ORD-1234\"}")
			.containsEntry("requestedDurationSeconds", 900)
			.containsEntry("policyRule", "payments-review-every-call");

		this.scenario.approve(action);

		AgentAction approved = this.scenario.reload(action);
		assertThat(approved.status()).isEqualTo(AgentActionStatus.APPROVED);
		assertThat(approved.decidedBy()).isEqualTo("erin");
		assertThat(approved.edited()).isFalse();
		// The tool server recomputes the fingerprint from what it receives, in any key order and number spelling.
		String fingerprint = ToolCallVerifier.argumentsHash("payments.refund",
				"{\"currency\":\"EUR\",\"amount\":25,\"orderId\":\"ORD-1234\"}");
		VerifiedReceipt receipt = this.receiptVerifier.verify(approved.receiptToken(), action.id(), fingerprint);
		assertThat(receipt.approvers()).containsExactly("erin");
		assertThat(receipt.claims()).containsEntry("tool", "payments.refund")
			.containsEntry("agent", this.scenario.agent)
			.containsEntry("scope", "refunds:write")
			.containsEntry("requestHash", action.requestHash());
		assertThat(Duration.between(receipt.issuedAt(), receipt.expiresAt())).isEqualTo(Duration.ofSeconds(900));
		assertThat(approved.accessExpiresAt()).isEqualTo(receipt.expiresAt());
		assertThat(instance).isWaitingAt("Gateway_AccessEnds");
		assertThat(this.scenario.ledgerTypes(action.id())).containsExactly("AGENT_ACTION_REQUESTED",
				"AGENT_ACCESS_GRANTED");
	}

	@Test
	void shouldDenyWithoutAReceiptWhenTheReviewerDenies() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND);

		this.scenario.deny(action, "erin");

		AgentAction denied = this.scenario.reload(action);
		assertThat(denied.status()).isEqualTo(AgentActionStatus.DENIED);
		assertThat(denied.receiptToken()).isNull();
		assertThat(denied.decidedBy()).isEqualTo("erin");
		assertThat(denied.decisionReason()).isEqualTo("Not the customer's order");
		assertThat(this.scenario.instance(action)).isNull();
		assertThat(this.scenario.ledgerTypes(action.id())).containsExactly("AGENT_ACTION_REQUESTED",
				"AGENT_ACTION_DENIED");
	}

	@Test
	void shouldExpireAnUnansweredRequestAsDeniedNeverApproved() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND);
		ProcessInstance instance = this.scenario.instance(action);

		this.scenario.fireTimer(action, "BoundaryEvent_ReviewExpired");

		assertThat(instance).isEnded().hasPassed("EndEvent_RequestExpired").hasNotPassed("Task_GrantAccess");
		AgentAction expired = this.scenario.reload(action);
		assertThat(expired.status()).isEqualTo(AgentActionStatus.EXPIRED);
		assertThat(expired.receiptToken()).isNull();
		assertThat(expired.endReason()).contains("PT1H");
		assertThat(this.scenario.ledgerTypes(action.id())).contains("AGENT_ACTION_EXPIRED");
	}

	@Test
	void shouldIssueItsOwnReceiptForAShortenedAndNarrowedRequest() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND, "refunds:write refunds:read", 900);

		this.scenario.approve(action, "erin", Map.of("approvedDurationSeconds", 300L, "approvedScope",
				"refunds:write"));

		AgentAction approved = this.scenario.reload(action);
		assertThat(approved.edited()).isTrue();
		assertThat(approved.approvedHash()).isNotEqualTo(action.requestHash());
		VerifiedReceipt receipt = this.receiptVerifier.verify(approved.receiptToken(), action.id(),
				action.argumentsHash());
		assertThat(Duration.between(receipt.issuedAt(), receipt.expiresAt())).isEqualTo(Duration.ofSeconds(300));
		assertThat(receipt.claims()).containsEntry("scope", "refunds:write")
			.containsEntry("requestHash", approved.approvedHash());
	}

	@Test
	void shouldRefuseToLengthenTheDurationOrWidenTheScope() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND, "refunds:write", 600);

		assertThatThrownBy(() -> this.scenario.approve(action, "erin", Map.of("approvedDurationSeconds", 601)))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("shorten-only");
		assertThatThrownBy(
				() -> this.scenario.approve(action, "erin", Map.of("approvedScope", "refunds:write payouts:write")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("narrow-only");

		assertThat(this.scenario.reviewTask(action)).isNotNull();
		assertThat(this.scenario.reload(action).status()).isEqualTo(AgentActionStatus.PENDING);
		assertThat(this.scenario.ledgerTypes(action.id())).containsExactly("AGENT_ACTION_REQUESTED",
				"AGENT_REVIEW_REFUSED", "AGENT_REVIEW_REFUSED");
	}

	@Test
	void shouldRevokeAccessAutomaticallyWhenTheApprovedDurationElapses() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND);
		ProcessInstance instance = this.scenario.instance(action);
		this.scenario.approve(action);

		this.scenario.fireTimer(action, "TimerEvent_AccessDurationElapsed");

		assertThat(instance).isEnded().hasPassed("Task_RevokeAccess", "EndEvent_AccessEnded");
		AgentAction revoked = this.scenario.reload(action);
		assertThat(revoked.status()).isEqualTo(AgentActionStatus.REVOKED);
		assertThat(revoked.endedBy()).isEqualTo("timer");
		assertThat(revoked.endReason()).contains("900 s elapsed");
		assertThat(this.scenario.ledgerTypes(action.id())).endsWith("AGENT_ACCESS_REVOKED");
	}

	@Test
	void shouldRevokeAccessEarlyWhenALeadRevokes() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND);
		ProcessInstance instance = this.scenario.instance(action);
		this.scenario.approve(action);

		this.actions.revoke(action.id(), "dave", "The customer withdrew the complaint");

		assertThat(instance).isEnded().hasPassed("MessageEvent_RevokeRequested", "EndEvent_AccessEnded")
			.hasNotPassed("TimerEvent_AccessDurationElapsed");
		AgentAction revoked = this.scenario.reload(action);
		assertThat(revoked.status()).isEqualTo(AgentActionStatus.REVOKED);
		assertThat(revoked.endedBy()).isEqualTo("dave");
		assertThat(revoked.endReason()).isEqualTo("The customer withdrew the complaint");
		assertThat(this.engine.getManagementService().createJobQuery().processInstanceId(instance.getId()).count())
			.isZero();
	}

	@Test
	void shouldNeverLetAnAgentAccountTheRequesterOrAnotherGroupApprove() {
		AgentAction action = this.scenario.ask("payments.refund", REFUND);
		this.engine.getIdentityService().createMembership("research-bot", "agent-reviewers");
		try {
			assertThatThrownBy(() -> this.scenario.approve(action, "research-bot", Map.of()))
				.isInstanceOf(ApprovalRefusedException.class)
				.hasMessageContaining("agent-never-approves");
		}
		finally {
			this.engine.getIdentityService().deleteMembership("research-bot", "agent-reviewers");
		}
		// The engine refuses a non-candidate; the listener refuses even an administrator, who may work any task.
		assertThatThrownBy(() -> this.scenario.approve(action, "carol", Map.of()))
			.isInstanceOf(AuthorizationException.class);
		assertThatThrownBy(() -> this.scenario.approve(action, "admin", Map.of()))
			.isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("reviewer-group");
		assertThatThrownBy(() -> this.engine.getTaskService()
			.complete(this.scenario.reviewTask(action).getId(), Map.of("decision", "APPROVE", "reason", "no one")))
			.isInstanceOf(ApprovalRefusedException.class)
			.hasMessageContaining("authenticated-reviewer");

		assertThat(this.scenario.reload(action).status()).isEqualTo(AgentActionStatus.PENDING);
		assertThat(this.scenario.reviewTask(action)).isNotNull();
	}

	@Test
	void shouldDenyAToolThePolicyForbidsWithoutAskingAnyone() {
		AgentAction action = this.scenario.ask("shell.exec", "{\"command\": \"rm -rf /tmp/x\"}");

		assertThat(action.status()).isEqualTo(AgentActionStatus.DENIED);
		assertThat(action.endedBy()).isEqualTo("policy");
		assertThat(action.endReason()).contains("shell-forbidden");
		assertThat(this.scenario.reviewTask(action)).isNull();
	}

}
