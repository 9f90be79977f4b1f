package io.countersign.gate;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * What the call that completes a task submitted, and nothing else. Task listeners that enforce a human decision
 * read the decision from here, never from process or task variables: those may have been written before the
 * completion by anyone holding update rights (a co-approver planting a task-local {@code decision=APPROVE} that then
 * outranks what the completer sent through engine-rest {@code complete}).
 *
 * <p>{@link SubmissionCapturePlugin} records the submitted map for the length of each {@code complete} and
 * {@code submit-form} call, whichever channel makes it (Tasklist, engine-rest, our API, Java). A completion that
 * reaches the engine any other way has no submission, so the listeners refuse it.
 */
public final class Submissions {

	private static final ThreadLocal<Submission> CURRENT = new ThreadLocal<>();

	private Submissions() {
	}

	/** The variables one completing call submitted for one task, with typed values unwrapped. */
	public record Submission(String taskId, Map<String, Object> variables) {

		public String text(String name) {
			Object value = this.variables.get(name);
			return value == null ? null : value.toString();
		}

		public Object value(String name) {
			return this.variables.get(name);
		}

	}

	/** The submission of the call completing {@code taskId} right now on this thread, if there is one. */
	public static Optional<Submission> of(String taskId) {
		Submission current = CURRENT.get();
		return current != null && current.taskId().equals(taskId) ? Optional.of(current) : Optional.empty();
	}

	static <T> T during(String taskId, Map<String, ?> variables, Supplier<T> completion) {
		Submission previous = CURRENT.get();
		CURRENT.set(new Submission(taskId, unwrap(variables)));
		try {
			return completion.get();
		}
		finally {
			if (previous == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(previous);
			}
		}
	}

	private static Map<String, Object> unwrap(Map<String, ?> variables) {
		if (variables == null) {
			return Map.of();
		}
		Map<String, Object> values = new HashMap<>();
		// A VariableMap hands out plain values; typed values come from engine-rest callers that send a type.
		for (String name : variables.keySet()) {
			Object value = variables.get(name);
			values.put(name, value instanceof TypedValue typed ? typed.getValue() : value);
		}
		return Collections.unmodifiableMap(values);
	}

}
