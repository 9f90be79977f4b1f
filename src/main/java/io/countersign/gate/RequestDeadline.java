package io.countersign.gate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.countersign.audit.Ledger;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The policy's {@code expire-after} counted from the request's creation in our table, not from the expiry timer: an
 * engine-rest user can move the timer's due date or suspend the job (both are in the ledger), but not the deadline.
 */
@Component
class RequestDeadline {

	private final JdbcClient jdbc;

	private final Ledger ledger;

	private final TransactionTemplate ownTransaction;

	private final Clock clock = Clock.systemUTC();

	RequestDeadline(JdbcClient jdbc, Ledger ledger, PlatformTransactionManager transactionManager) {
		this.jdbc = jdbc;
		this.ledger = ledger;
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** When the request stops taking decisions; null when the policy gave no period the gate can count. */
	static Instant deadline(ApprovalRequest request) {
		if (request.expireAfter() == null || request.createdAt() == null) {
			return null;
		}
		try {
			return request.createdAt().plus(Duration.parse(request.expireAfter()));
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/**
	 * Refuses a decision on an open request whose deadline passed, and closes the request {@code EXPIRED} in a
	 * transaction of its own, since the refused completion rolls back.
	 * @throws ApprovalRefusedException {@code request-open} once the deadline passed
	 */
	void refuseAfterDeadline(ApprovalRequest request) {
		Instant deadline = deadline(request);
		Instant now = this.clock.instant();
		if (request.status() != ApprovalRequest.Status.OPEN || deadline == null || !now.isAfter(deadline)) {
			return;
		}
		Boolean closed = this.ownTransaction.execute(tx -> this.jdbc
			.sql("update approval_request set status = 'EXPIRED', decided_at = ? where id = ? and status = 'OPEN'")
			.params(Timestamp.from(now), request.id())
			.update() == 1);
		if (Boolean.TRUE.equals(closed)) {
			this.ledger.appendIndependently(request.responseId(), "EXPIRED", null, "Approval request " + request.id()
					+ " expired at " + deadline + " (" + request.expireAfter() + " after it opened) though its timer "
					+ "had not fired; the action is denied and nothing was changed",
					Map.of("approvalRequest", request.id(), "deadline", deadline.toString()));
		}
		throw new ApprovalRefusedException("request-open", "approval request " + request.id() + " expired at "
				+ deadline + "; nothing can be decided");
	}

}
