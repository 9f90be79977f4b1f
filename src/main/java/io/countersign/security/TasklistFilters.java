package io.countersign.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.task.TaskQuery;

/**
 * The Tasklist filters Countersign ships. Each is evaluated per request against the caller's groups, so one filter
 * serves every approver group; each sorts by due date (the request's expiry), which Tasklist applies before the
 * order chosen in its list. Their columns are display variables the gate puts on each task (severity, environment,
 * identity; the agent and tool for agent reviews; see {@code CardTasks}), where its candidates may read them: they help
 * find a task, while the form shows the facts of record. Few columns, as each is one more variable read per listed
 * task. Rewritten on every start, so an upgrade brings its filters along.
 */
final class TasklistFilters {

	static final String APPROVALS = "My approvals";

	static final String DUE_SOON = "Due soon";

	static final String AGENT_TOOL_CALLS = "Agent tool calls";

	/** The agent tool-access process, whose review tasks the agent filter lists. */
	static final String AGENT_PROCESS = "agent-tool-access";

	private static final List<Map<String, String>> RESPONSE_COLUMNS = List.of(column("severity", "Severity"),
			column("environment", "Environment"), column("identity", "Identity"));

	private static final List<Map<String, String>> AGENT_COLUMNS = List.of(column("agent", "Agent"),
			column("tool", "Tool"));

	private TasklistFilters() {
	}

	/** Creates or updates the shipped filters; returns their ids. */
	static List<String> ensure(FilterService filters, TaskService tasks) {
		return List.of(
				save(filters, APPROVALS, mine(tasks).orderByDueDate().asc(), -10, "Approval tasks of your groups",
						RESPONSE_COLUMNS),
				save(filters, DUE_SOON,
						mine(tasks).dueBeforeExpression("${dateTime().plusHours(24).toDate()}").orderByDueDate().asc(),
						-9, "Your groups' tasks that expire within 24 hours, or already have", RESPONSE_COLUMNS),
				save(filters, AGENT_TOOL_CALLS, mine(tasks).processDefinitionKey(AGENT_PROCESS).orderByDueDate().asc(),
						-8, "AI agents' tool calls waiting for your review", AGENT_COLUMNS));
	}

	private static TaskQuery mine(TaskService tasks) {
		return tasks.createTaskQuery().taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks();
	}

	private static String save(FilterService filters, String name, TaskQuery query, int priority, String description,
			List<Map<String, String>> columns) {
		List<Filter> existing = filters.createFilterQuery().filterName(name).list();
		Filter filter = existing.isEmpty() ? filters.newTaskFilter(name) : existing.get(0);
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("description", description);
		properties.put("priority", priority);
		properties.put("refresh", true);
		properties.put("variables", columns);
		properties.put("showUndefinedVariable", false);
		filter.setQuery(query).setProperties(properties);
		return filters.saveFilter(filter).getId();
	}

	private static Map<String, String> column(String name, String label) {
		return Map.of("name", name, "label", label);
	}

}
