package io.countersign.gate;

import java.util.Map;

/**
 * The values a task's form shows that are facts of record, read from our tables. They replace process variables of
 * the same name whenever a form loads its variables, so whoever can write a variable cannot change what the next
 * approver sees (the staged action, its fingerprint, the blast radius).
 */
public interface TaskFormFacts {

	/** The facts for this task, or an empty map when the task is not one this provider knows. */
	Map<String, Object> facts(String taskId);

}
