package io.countersign.gate;

import org.camunda.bpm.engine.AuthorizationException;

/**
 * A completion the gate refuses for who is completing. It is an {@link AuthorizationException}
 * so that Tasklist, engine-rest and our API all answer 403 and keep the task open.
 */
public class ApprovalRefusedException extends AuthorizationException implements GateRefusal {

	private final String rule;

	public ApprovalRefusedException(String rule, String message) {
		super("Refused by rule '" + rule + "': " + message);
		this.rule = rule;
	}

	@Override
	public String rule() {
		return this.rule;
	}

}
