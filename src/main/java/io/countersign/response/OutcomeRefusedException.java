package io.countersign.response;

import org.camunda.bpm.engine.AuthorizationException;

/**
 * An end event named an outcome our tables contradict. Nobody may record it, so it is an
 * {@link AuthorizationException}: engine-rest passes those through as 403 with the reason (every other engine
 * exception of a start or modification becomes a 500), and a job that reaches it fails into an incident.
 */
public class OutcomeRefusedException extends AuthorizationException {

	OutcomeRefusedException(String message) {
		super(message);
	}

}
