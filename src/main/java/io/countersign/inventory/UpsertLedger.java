package io.countersign.inventory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.countersign.audit.Ledger;

import org.springframework.stereotype.Component;

/**
 * Writes every report on an identity to the decision ledger, accepted or refused, with who sent it and what it changed
 * or tried to change. Entries of one identity share a subject derived from its id, so {@code GET
 * /api/v1/audit?response=<subject>} lists that identity's reports.
 */
@Component
class UpsertLedger {

	static final String ACCEPTED = "INVENTORY_REPORTED";

	static final String REFUSED = "INVENTORY_REFUSED";

	private final Ledger ledger;

	UpsertLedger(Ledger ledger) {
		this.ledger = ledger;
	}

	/**
	 * A name-based (version 3) UUID of the identity id: never the id of a response or an agent action, which are random
	 * (version 4), so a chosen identity id cannot write into another subject's trail.
	 */
	static String subject(String identityId) {
		return UUID.nameUUIDFromBytes(("countersign:inventory:" + identityId).getBytes(StandardCharsets.UTF_8))
			.toString();
	}

	/** Appended when the report's transaction commits. */
	void accepted(String identityId, String actor, UpsertReview.Result review) {
		this.ledger.append(subject(identityId), ACCEPTED, actor,
				(review.created() ? "Created " : "Reported ") + identityId + ": "
						+ (review.changes().isEmpty() ? "no change" : review.changes().size() + " field(s) changed"),
				data(identityId, review));
	}

	/** What a target shows that the inventory does not: changed outside Countersign, or not yet known. */
	void drift(String identityId, String actor, String detail, Map<String, ?> data) {
		this.ledger.append(subject(identityId), "DRIFT_DETECTED", actor, detail, data);
	}

	/** Appended in a transaction of its own: the refused report rolls back, its record must not. */
	void refused(String identityId, String actor, UpsertReview.Result review) {
		UpsertReview.Violation first = review.violations().get(0);
		this.ledger.appendIndependently(subject(identityId), REFUSED, actor,
				"Refused report on " + identityId + ": " + first.detail(), data(identityId, review));
	}

	private static Map<String, Object> data(String identityId, UpsertReview.Result review) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("identity", identityId);
		data.put("created", review.created());
		data.put("changes", review.changes().stream().map(UpsertReview.Change::json).toList());
		if (review.refused()) {
			data.put("rule", review.violations().get(0).rule());
			data.put("field", review.violations().get(0).field());
			data.put("refused", review.violations().stream().map(UpsertReview.Violation::json).toList());
		}
		return data;
	}

}
