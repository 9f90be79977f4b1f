package io.countersign.gate;

import java.util.Date;
import java.util.Set;
import java.util.TreeSet;

import org.camunda.bpm.engine.delegate.DelegateTask;

/**
 * Puts a card's deadline on its task as the engine's own fields, so Tasklist sorts and filters by them: the due date
 * is the expiry, the follow-up date the escalation, the priority the severity. Set once, on create, from the stored
 * request: whoever edits a task's dates later changes what Tasklist shows, never when the request expires.
 */
public final class CardTasks {

	/**
	 * The task-local variables the shipped Tasklist filters show as columns. On the task, not the process: approvers may
	 * read their tasks but not the processes behind them (an agent's tool-call arguments, say). Display only, never
	 * read by the gate: the form shows the facts of record.
	 */
	public static final Set<String> COLUMNS = Set.of("severity", "environment", "identity", "agent", "tool");

	private CardTasks() {
	}

	public static void schedule(DelegateTask task, ApprovalCard card) {
		task.setDueDate(card.dueAt() == null ? null : Date.from(card.dueAt()));
		task.setFollowUpDate(card.followUpAt() == null ? null : Date.from(card.followUpAt()));
		task.setPriority(card.priority());
		card.columns().forEach((name, value) -> {
			if (COLUMNS.contains(name)) {
				task.setVariableLocal(name, value);
			}
		});
	}

	/**
	 * The task-local variables that someone other than the gate wrote: all but the columns {@link #schedule} wrote as
	 * text. A column's value may have been changed since (by an administrator); it is display only either way.
	 */
	public static Set<String> planted(DelegateTask task) {
		Set<String> planted = new TreeSet<>();
		for (String name : task.getVariableNamesLocal()) {
			if (!COLUMNS.contains(name) || !(task.getVariableLocal(name) instanceof String)) {
				planted.add(name);
			}
		}
		return planted;
	}

}
