package io.countersign.gate;

import org.camunda.bpm.engine.OptimisticLockingException;

/**
 * Another decision closed the request between the moment this completion read it and the moment it tried to close
 * it. The earlier decision stands; this completion rolls back with nothing recorded and is answered as a conflict
 * (409), never as a server error.
 */
class ConcurrentDecisionException extends OptimisticLockingException implements GateRefusal {

	private final String rule;

	ConcurrentDecisionException(String requestId) {
		this("one-decision-at-a-time", "Approval request " + requestId + " was decided by another completion at the"
				+ " same moment; that decision stands and this one was not recorded");
	}

	ConcurrentDecisionException(String rule, String message) {
		super("Refused by rule '" + rule + "': " + message);
		this.rule = rule;
	}

	@Override
	public String rule() {
		return this.rule;
	}

}
