package io.countersign.response;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.countersign.audit.Ledger;

import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A response's final status comes from our tables, not from whichever end event a process instance reached: an end
 * event's outcome is recorded only when it agrees with what was applied and what the approval request says, and an
 * instance that disappears (deleted, cancelled) ends the response with the status the tables give.
 */
@Component
class ResponseOutcomes {

	private static final Set<ActionEffects.Effect> NOTHING_STANDS = EnumSet.of(ActionEffects.Effect.NOTHING,
			ActionEffects.Effect.UNDONE);

	private final Responses responses;

	private final Ledger ledger;

	private final JdbcClient jdbc;

	private final List<ActionEffects> effects;

	private final List<ResponseEndedHandler> endedHandlers;

	ResponseOutcomes(Responses responses, Ledger ledger, JdbcClient jdbc, List<ActionEffects> effects,
			List<ResponseEndedHandler> endedHandlers) {
		this.responses = responses;
		this.ledger = ledger;
		this.jdbc = jdbc;
		this.effects = effects.stream().sorted(AnnotationAwareOrderComparator.INSTANCE).toList();
		this.endedHandlers = endedHandlers;
	}

	/**
	 * Records the outcome an end event names, if the tables agree.
	 * @throws OutcomeRefusedException when they do not: the end is refused (an incident, or the caller's command
	 * fails) and the refusal is in the ledger
	 */
	void reached(String responseId, ResponseStatus outcome, String detail) {
		ResponseRecord response = this.responses.record(responseId)
			.orElseThrow(() -> refuse(responseId, outcome, "no response " + responseId + " is on record"));
		if (response.status().isTerminal()) {
			// A final status is final; the repository refuses to move it anyway.
			return;
		}
		ActionEffects.Effect effect = effect(response);
		String request = latestRequestStatus(responseId).orElse("none");
		Optional<String> disagreement = disagreement(outcome, response.status(), effect, request);
		if (disagreement.isPresent()) {
			throw refuse(responseId, outcome, disagreement.get());
		}
		end(responseId, outcome, detail);
	}

	/** A process instance of the response ended cancelled: deleted through engine-rest, or cancelled by modification. */
	void cancelled(String responseId, String processKey) {
		Optional<ResponseRecord> found = this.responses.record(responseId);
		if (found.isEmpty() || found.get().status().isTerminal()) {
			return;
		}
		ResponseStatus status = switch (effect(found.get())) {
			case NOTHING -> ResponseStatus.CANCELLED;
			case IN_EFFECT -> ResponseStatus.COMPLETED;
			case UNDONE -> ResponseStatus.ROLLED_BACK;
			case UNVERIFIED -> ResponseStatus.FAILED;
		};
		end(responseId, status, "The " + processKey + " process instance was deleted or cancelled while the response was "
				+ found.get().status() + (status == ResponseStatus.CANCELLED ? "; nothing was applied"
						: "; what was applied decides the outcome: " + status));
	}

	private void end(String responseId, ResponseStatus status, String detail) {
		if (this.responses.transition(responseId, status, status.name(), null, detail) && status.isTerminal()) {
			this.endedHandlers.forEach(handler -> handler.ended(responseId, status, detail));
		}
	}

	/** Why the tables contradict {@code outcome}, if they do. */
	static Optional<String> disagreement(ResponseStatus outcome, ResponseStatus status, ActionEffects.Effect effect,
			String request) {
		boolean agrees = switch (outcome) {
			case COMPLETED, APPLIED -> effect == ActionEffects.Effect.IN_EFFECT;
			// Undone, or an apply that failed before it changed anything.
			case ROLLED_BACK -> effect == ActionEffects.Effect.UNDONE
					|| effect == ActionEffects.Effect.NOTHING && status == ResponseStatus.APPLYING;
			case REJECTED, EXPIRED, DENIED -> NOTHING_STANDS.contains(effect) && outcome.name().equals(request);
			case FAILED, CANCELLED -> NOTHING_STANDS.contains(effect);
			default -> true;
		};
		return agrees ? Optional.empty() : Optional.of("the outcome " + outcome + " disagrees with the record: the "
				+ "response is " + status + ", its action " + effect + ", its latest approval request " + request);
	}

	private ActionEffects.Effect effect(ResponseRecord response) {
		return this.effects.stream()
			.filter(candidate -> candidate.handles(response.playbook()))
			.findFirst()
			.map(candidate -> candidate.effect(response.id()))
			.orElse(ActionEffects.Effect.NOTHING);
	}

	private Optional<String> latestRequestStatus(String responseId) {
		return this.jdbc.sql("select status from approval_request where response_id = ? order by created_at desc, id desc")
			.param(responseId)
			.query(String.class)
			.list()
			.stream()
			.findFirst();
	}

	private OutcomeRefusedException refuse(String responseId, ResponseStatus outcome, String reason) {
		String message = "Outcome " + outcome + " refused: " + reason;
		this.ledger.appendIndependently(responseId, "BLOCKED", null, message,
				Map.of("outcome", outcome.name(), "rule", "outcome-from-record"));
		return new OutcomeRefusedException(message);
	}

}
