package io.countersign.agent;

import java.util.Map;

import io.countersign.audit.Ledger;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.support.ProcessEngineTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ProcessEngineTest
class StandingGrantsProcessTest {

	static final String TOOL = "tickets.close";

	static final String CALL = "{\"ticket\": \"T-100\", \"resolution\": \"duplicate\"}";

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

	private StandingGrant grantFrom(String arguments, String kind, Map<String, Object> extras) {
		AgentAction first = this.scenario.ask(TOOL, arguments);
		Map<String, Object> variables = new java.util.HashMap<>(extras);
		variables.put("standingGrant", kind);
		this.scenario.approve(first, "erin", variables);
		AgentAction approved = this.scenario.reload(first);
		return this.actions.grants(AgentScenario.ACCOUNT, true, 500)
			.stream()
			.filter(grant -> grant.sourceActionId().equals(approved.id()))
			.findFirst()
			.orElseThrow();
	}

	@Test
	void shouldApproveAnIdenticalCallAtOnceUnderAnExactArgumentsGrant() {
		StandingGrant grant = grantFrom(CALL, "EXACT_ARGUMENTS", Map.of("grantDays", 3L));
		assertThat(grant.kind()).isEqualTo(GrantKind.EXACT_ARGUMENTS);
		assertThat(java.time.Duration.between(grant.createdAt(), grant.expiresAt()).toDays()).isEqualTo(3);
		assertThat(this.scenario.ledgerTypes(grant.id())).containsExactly("AGENT_GRANT_CREATED");

		AgentAction again = this.scenario.ask(TOOL, "{\"resolution\":\"duplicate\",\"ticket\":\"T-100\"}");

		assertThat(again.status()).isEqualTo(AgentActionStatus.APPROVED);
		assertThat(again.decidedBy()).isEqualTo("grant:" + grant.id());
		assertThat(again.grantId()).isEqualTo(grant.id());
		assertThat(this.scenario.reviewTask(again)).isNull();
		assertThat(this.receiptVerifier.verify(again.receiptToken(), again.id(), again.argumentsHash()).claims())
			.containsEntry("grant", grant.id());
		assertThat(this.scenario.ledgerTypes(again.id())).containsExactly("AGENT_ACTION_REQUESTED",
				"AGENT_GRANT_MATCHED", "AGENT_ACCESS_GRANTED");

		AgentAction other = this.scenario.ask(TOOL, "{\"ticket\": \"T-101\", \"resolution\": \"duplicate\"}");
		assertThat(other.status()).isEqualTo(AgentActionStatus.PENDING);
	}

	@Test
	void shouldMatchTheNarrowestGrantFirst() {
		// Created widest last, since a wider grant would already approve the calls the narrower ones come from.
		StandingGrant exact = grantFrom(CALL, "EXACT_ARGUMENTS", Map.of());
		StandingGrant pattern = grantFrom("{\"ticket\": \"T-2\", \"resolution\": \"fixed\"}", "ARGUMENT_PATTERN",
				Map.of("grantPattern", "{\"ticket\": \"T-*\", \"resolution\": \"fixed\"}"));
		StandingGrant tool = grantFrom("{\"ticket\": \"Z-1\", \"resolution\": \"other\"}", "TOOL", Map.of());

		assertThat(this.scenario.ask(TOOL, CALL).grantId()).isEqualTo(exact.id());
		assertThat(this.scenario.ask(TOOL, "{\"ticket\": \"T-77\", \"resolution\": \"fixed\"}").grantId())
			.isEqualTo(pattern.id());
		assertThat(this.scenario.ask(TOOL, "{\"ticket\": \"X-77\", \"resolution\": \"fixed\"}").grantId())
			.isEqualTo(tool.id());
		assertThat(this.scenario.ask(TOOL, "{\"ticket\": \"T-77\", \"resolution\": \"wontfix\"}").grantId())
			.isEqualTo(tool.id());
	}

	@Test
	void shouldNotStretchAGrantBeyondItsScopeOrDuration() {
		StandingGrant grant = grantFrom(CALL, "TOOL", Map.of("approvedDurationSeconds", 120L));

		AgentAction wider = this.scenario.ask(TOOL, CALL, "refunds:write tickets:admin", 900);
		assertThat(wider.status()).isEqualTo(AgentActionStatus.PENDING);

		AgentAction longer = this.scenario.ask(TOOL, CALL, "refunds:write", 900);
		assertThat(longer.grantId()).isEqualTo(grant.id());
		assertThat(longer.approvedDuration()).isEqualTo(120);
	}

	@Test
	void shouldStopMatchingAndEndRunningAccessWhenTheGrantIsRevoked() {
		StandingGrant grant = grantFrom(CALL, "TOOL", Map.of());
		AgentAction running = this.scenario.ask(TOOL, CALL);
		assertThat(running.status()).isEqualTo(AgentActionStatus.APPROVED);

		this.actions.revokeGrant(grant.id(), "dave", "The ticket bot misbehaved");

		assertThat(this.scenario.reload(running).status()).isEqualTo(AgentActionStatus.REVOKED);
		assertThat(this.scenario.reload(running).endedBy()).isEqualTo("dave");
		assertThat(this.scenario.ask(TOOL, CALL).status()).isEqualTo(AgentActionStatus.PENDING);
		assertThat(this.scenario.ledgerTypes(grant.id())).containsExactly("AGENT_GRANT_CREATED",
				"AGENT_GRANT_REVOKED");
	}

	@Test
	void shouldRefuseAStandingGrantThePolicyForbidsForTheTool() {
		AgentAction refund = this.scenario.ask("payments.refund", "{\"orderId\": \"ORD-1\", \"amount\": 5}");

		assertThatThrownBy(() -> this.scenario.approve(refund, "erin", Map.of("standingGrant", "EXACT_ARGUMENTS")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("standing-grant-forbidden");
		assertThat(this.scenario.reload(refund).status()).isEqualTo(AgentActionStatus.PENDING);
	}

	@Test
	void shouldRefuseAGrantLongerThanThirtyDaysOrAPatternThatMissesTheCall() {
		AgentAction action = this.scenario.ask(TOOL, CALL);

		assertThatThrownBy(() -> this.scenario.approve(action, "erin", Map.of("standingGrant", "TOOL", "grantDays",
				31L)))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("grant-ttl");
		assertThatThrownBy(() -> this.scenario.approve(action, "erin", Map.of("standingGrant", "ARGUMENT_PATTERN",
				"grantPattern", "{\"ticket\": \"X-*\", \"resolution\": \"*\"}")))
			.isInstanceOf(InvalidDecisionException.class)
			.hasMessageContaining("does not match");
	}

}
