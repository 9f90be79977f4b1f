package io.countersign.response;

import java.util.Optional;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

import org.springframework.stereotype.Component;

/**
 * Records a playbook's outcome when an end event is reached. The outcome is the end event's
 * extension property {@code outcome} (a {@link ResponseStatus}), so process designers set it
 * in Camunda Modeler and no end event needs code of its own; it is recorded only if our tables agree
 * ({@link ResponseOutcomes}).
 */
@Component("responseOutcomeListener")
class ResponseOutcomeListener implements ExecutionListener {

	static final String OUTCOME_PROPERTY = "outcome";

	private final ResponseOutcomes outcomes;

	ResponseOutcomeListener(ResponseOutcomes outcomes) {
		this.outcomes = outcomes;
	}

	@Override
	public void notify(DelegateExecution execution) {
		String responseId = execution.getProcessBusinessKey();
		if (EVENTNAME_END.equals(execution.getEventName())) {
			// Registered on the process: a modelled end event already recorded the outcome. A cancelled instance is
			// handled engine-wide (ResponseEnginePlugin), where skipCustomListeners cannot skip it.
			return;
		}
		ResponseStatus outcome = outcome(execution).orElseThrow(() -> new IllegalStateException("End event "
				+ execution.getCurrentActivityId() + " has no extension property 'outcome'"));
		String detail = Optional.ofNullable((String) execution.getVariable(ResponseVariables.FAILURE_REASON))
			.filter(reason -> outcome == ResponseStatus.ROLLED_BACK || outcome == ResponseStatus.FAILED
					|| outcome == ResponseStatus.DENIED)
			.orElse("Reached " + execution.getCurrentActivityName());
		this.outcomes.reached(responseId, outcome, detail);
	}

	private static Optional<ResponseStatus> outcome(DelegateExecution execution) {
		return ElementProperties.of(execution, OUTCOME_PROPERTY).map(ResponseStatus::valueOf);
	}

}
