package io.countersign.agent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.audit.Ledger;
import io.countersign.audit.LedgerEntry;
import io.countersign.support.TestIdentities;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;

/** Drives agent-tool-access for one agent name of its own, so tests sharing a context never share grants. */
class AgentScenario {

	static final String ACCOUNT = "research-bot";

	final String agent = "bot-" + UUID.randomUUID().toString().substring(0, 8);

	private final ProcessEngine engine;

	private final AgentActions actions;

	private final Ledger ledger;

	AgentScenario(ProcessEngine engine, AgentActions actions, Ledger ledger) {
		this.engine = engine;
		this.actions = actions;
		this.ledger = ledger;
		BpmnAwareTests.init(engine);
	}

	static JsonNode json(String json) {
		try {
			return AgentJson.MAPPER.readTree(json);
		}
		catch (Exception ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	AgentAction ask(String tool, String arguments, String scope, int durationSeconds) {
		return this.actions.submit(ACCOUNT, new AgentActionRequest(this.agent, tool, json(arguments),
				"Refund a duplicate charge the customer reported", scope, durationSeconds));
	}

	AgentAction ask(String tool, String arguments) {
		return ask(tool, arguments, "refunds:write", 900);
	}

	AgentAction reload(AgentAction action) {
		return this.actions.find(action.id());
	}

	ProcessInstance instance(AgentAction action) {
		return this.engine.getRuntimeService()
			.createProcessInstanceQuery()
			.processInstanceBusinessKey(action.id())
			.singleResult();
	}

	Task reviewTask(AgentAction action) {
		return this.engine.getTaskService()
			.createTaskQuery()
			.processInstanceBusinessKey(action.id())
			.taskDefinitionKey(AgentToolAccessProcess.TASK_REVIEW)
			.singleResult();
	}

	void review(AgentAction action, String user, Map<String, Object> variables) {
		Task task = reviewTask(action);
		if (task == null) {
			throw new AssertionError("no review task for " + action.id());
		}
		TestIdentities.runAs(this.engine.getIdentityService(), user,
				() -> this.engine.getTaskService().complete(task.getId(), variables));
	}

	void approve(AgentAction action, String user, Map<String, Object> extras) {
		Map<String, Object> variables = new HashMap<>(extras);
		variables.put("decision", "APPROVE");
		variables.put("reason", "Looks like the refund the ticket asks for");
		review(action, user, variables);
	}

	void approve(AgentAction action) {
		approve(action, "erin", Map.of());
	}

	void deny(AgentAction action, String user) {
		review(action, user, Map.of("decision", "DENY", "reason", "Not the customer's order"));
	}

	void fireTimer(AgentAction action, String activityId) {
		Job timer = this.engine.getManagementService()
			.createJobQuery()
			.timers()
			.activityId(activityId)
			.processInstanceId(instance(action).getId())
			.singleResult();
		if (timer == null) {
			throw new AssertionError("no timer at " + activityId + " for " + action.id());
		}
		this.engine.getManagementService().executeJob(timer.getId());
	}

	List<String> ledgerTypes(String subject) {
		return this.ledger.forResponse(subject).stream().map(LedgerEntry::type).toList();
	}

}
