package io.countersign.playbook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.countersign.response.ActionEffects;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The effect of the guarded actions of a response, from {@code action_execution}: the newest action of each purpose
 * counts. A restore or release that was applied undoes the action; a containment is never the outcome, since the
 * decided action replaces it or it is released.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class RecordedActionEffects implements ActionEffects {

	/** Purposes whose action undoes the one the playbook applied. */
	static final Set<String> UNDOING = Set.of("restore", "release");

	private final ActionExecutions executions;

	RecordedActionEffects(ActionExecutions executions) {
		this.executions = executions;
	}

	@Override
	public boolean handles(String playbook) {
		return true;
	}

	@Override
	public Effect effect(String responseId) {
		Map<String, ActionExecutions.Execution> latest = new LinkedHashMap<>();
		this.executions.forResponse(responseId).forEach(execution -> latest.put(execution.purpose(), execution));
		Effect effect = Effect.NOTHING;
		for (ActionExecutions.Execution execution : latest.values()) {
			if (GuardedActions.CONTAIN.equals(execution.purpose())) {
				continue;
			}
			boolean undoing = UNDOING.contains(execution.purpose());
			if (undoing && execution.status() == ActionExecutions.Status.VERIFIED) {
				return Effect.UNDONE;
			}
			Effect of = switch (execution.status()) {
				case VERIFIED -> Effect.IN_EFFECT;
				case APPLIED -> Effect.UNVERIFIED;
				case ROLLED_BACK, RELEASED -> undoing ? Effect.NOTHING : Effect.UNDONE;
				case STAGED -> Effect.NOTHING;
			};
			// What changes the target most is what the response must own up to.
			if (rank(of) > rank(effect)) {
				effect = of;
			}
		}
		return effect;
	}

	private static int rank(Effect effect) {
		return switch (effect) {
			case NOTHING -> 0;
			case UNDONE -> 1;
			case IN_EFFECT -> 2;
			case UNVERIFIED -> 3;
		};
	}

}
