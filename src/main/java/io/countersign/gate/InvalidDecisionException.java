package io.countersign.gate;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A completion the gate refuses for what was submitted (missing decision or reason, a
 * fingerprint that is not the staged one). Engine-rest and our API answer 400; the task stays open.
 */
public class InvalidDecisionException extends BadUserRequestException implements GateRefusal {

	private final String rule;

	public InvalidDecisionException(String rule, String message) {
		super("Refused by rule '" + rule + "': " + message);
		this.rule = rule;
	}

	@Override
	public String rule() {
		return this.rule;
	}

}
