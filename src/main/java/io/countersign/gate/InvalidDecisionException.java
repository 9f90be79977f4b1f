package io.countersign.gate;

import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;

/**
 * A completion the gate refuses for what was submitted (missing decision or reason, a
 * fingerprint that is not the staged one). It is a form validation failure so that engine-rest
 * ({@code complete} and {@code submit-form}), Tasklist and our API all answer 400; the task stays open.
 */
public class InvalidDecisionException extends FormFieldValidationException implements GateRefusal {

	private final String rule;

	public InvalidDecisionException(String rule, String message) {
		super(rule, "Refused by rule '" + rule + "': " + message);
		this.rule = rule;
	}

	@Override
	public String rule() {
		return this.rule;
	}

}
