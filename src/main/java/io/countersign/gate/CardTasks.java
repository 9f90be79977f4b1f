package io.countersign.gate;

import java.util.Date;

import org.camunda.bpm.engine.delegate.DelegateTask;

/**
 * Puts a card's deadline on its task as the engine's own fields, so Tasklist sorts and filters by them: the due date
 * is the expiry, the follow-up date the escalation, the priority the severity. Set once, on create, from the stored
 * request: whoever edits a task's dates later changes what Tasklist shows, never when the request expires.
 */
public final class CardTasks {

	private CardTasks() {
	}

	public static void schedule(DelegateTask task, ApprovalCard card) {
		task.setDueDate(card.dueAt() == null ? null : Date.from(card.dueAt()));
		task.setFollowUpDate(card.followUpAt() == null ? null : Date.from(card.followUpAt()));
		task.setPriority(card.priority());
	}

}
