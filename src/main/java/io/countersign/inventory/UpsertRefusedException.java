package io.countersign.inventory;

import io.countersign.api.ApiException;

import org.springframework.http.HttpStatus;

/** A report that would change gated state or weaken a policy input: 409, nothing stored, the attempt in the ledger. */
class UpsertRefusedException extends ApiException {

	private final String rule;

	private final String ledgerSubject;

	UpsertRefusedException(UpsertReview.Violation violation, int others, String ledgerSubject) {
		super(HttpStatus.CONFLICT, violation.detail() + (others == 0 ? "" : " (and " + others + " more refused field(s))")
				+ ". Nothing was stored.", violation.field());
		this.rule = violation.rule();
		this.ledgerSubject = ledgerSubject;
	}

	String rule() {
		return this.rule;
	}

	String ledgerSubject() {
		return this.ledgerSubject;
	}

}
