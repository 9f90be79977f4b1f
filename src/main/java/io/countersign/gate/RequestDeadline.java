package io.countersign.gate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import io.countersign.audit.Ledger;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The policy's {@code expire-after} counted from the request's creation in our table, not from the expiry timer: an
 * engine-rest user can move the timer's due date or suspend the job (both are in the ledger), but not the deadline.
 * A decision after it is refused, and a sweep closes every request past it and brings its expiry timer back to now,
 * so the gate ends {@code EXPIRED} as the policy says.
 */
@Component
class RequestDeadline {

	private static final Logger log = LoggerFactory.getLogger(RequestDeadline.class);

	/**
	 * How long the sweep leaves the gate's own timer to fire first: its due date is a few milliseconds after our
	 * deadline, and the job executor picks it up within seconds. Decisions get no grace.
	 */
	private static final Duration GRACE = Duration.ofMinutes(1);

	private final JdbcClient jdbc;

	private final Ledger ledger;

	private final RuntimeService runtimeService;

	private final ManagementService managementService;

	private final TransactionTemplate ownTransaction;

	private final Clock clock = Clock.systemUTC();

	RequestDeadline(JdbcClient jdbc, Ledger ledger, RuntimeService runtimeService, ManagementService managementService,
			PlatformTransactionManager transactionManager) {
		this.jdbc = jdbc;
		this.ledger = ledger;
		this.runtimeService = runtimeService;
		this.managementService = managementService;
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/**
	 * Closes the open requests past their deadline, and brings the expiry timer of every gate still waiting on an
	 * expired request back to now; each request in a transaction of its own, so one failure stops no other.
	 */
	@Scheduled(fixedDelayString = "${countersign.approval.expiry-sweep-interval:PT1M}")
	void sweep() {
		Instant now = this.clock.instant();
		List<OpenRequest> overdue = this.jdbc.sql("""
				select r.id, r.response_id, r.created_at, r.expire_after, r.status from approval_request r
				join response p on p.id = r.response_id
				where r.status = 'OPEN' or (r.status = 'EXPIRED' and p.status = 'AWAITING_APPROVAL')""")
			.query((rs, row) -> new OpenRequest(rs.getString("id"), rs.getString("response_id"),
					rs.getTimestamp("created_at").toInstant(), rs.getString("expire_after"),
					"OPEN".equals(rs.getString("status"))))
			.list()
			.stream()
			.filter(open -> open.deadline() != null && now.isAfter(open.deadline().plus(GRACE)))
			.toList();
		for (OpenRequest open : overdue) {
			try {
				this.ownTransaction.executeWithoutResult(tx -> expire(open, now));
			}
			catch (RuntimeException ex) {
				log.warn("Could not expire approval request {} of response {}", open.id(), open.responseId(), ex);
			}
		}
	}

	private void expire(OpenRequest request, Instant now) {
		boolean closed = request.open() && this.jdbc
			.sql("update approval_request set status = 'EXPIRED', decided_at = ? where id = ? and status = 'OPEN'")
			.params(Timestamp.from(now), request.id())
			.update() == 1;
		List<String> clamped = clampExpiryTimers(request, now);
		Map<String, Object> data = Map.of("approvalRequest", request.id(), "deadline", request.deadline().toString(),
				"timers", clamped);
		if (closed) {
			this.ledger.append(request.responseId(), "EXPIRED", null, "Approval request " + request.id()
					+ " expired at " + request.deadline() + " (" + request.expireAfter() + " after it opened) though "
					+ "its timer had not fired" + (clamped.isEmpty() ? "" : "; its expiry timer was brought back to now")
					+ "; the action is denied and nothing was changed", data);
		}
		else if (!clamped.isEmpty()) {
			this.ledger.append(request.responseId(), "EXPIRY_ENFORCED", null, "The expiry timer of approval request "
					+ request.id() + ", which expired at " + request.deadline() + ", was postponed or suspended; "
					+ "it was brought back to now so the gate ends as expired", data);
		}
	}

	/**
	 * The expiry timer of the gate holding this request, when it was postponed or suspended, is made due now and
	 * active: the gate then ends through its modelled EXPIRED path. Other gates of the response are left alone.
	 */
	private List<String> clampExpiryTimers(OpenRequest request, Instant now) {
		List<String> gates = this.runtimeService.createProcessInstanceQuery()
			.processDefinitionKey(ApprovalGateProcess.PROCESS_KEY)
			.processInstanceBusinessKey(request.responseId())
			.variableValueEquals(ApprovalVariables.REQUEST_ID, request.id())
			.list()
			.stream()
			.map(ProcessInstance::getId)
			.toList();
		List<String> clamped = new ArrayList<>();
		for (String gate : gates) {
			for (Job job : this.managementService.createJobQuery()
				.processInstanceId(gate)
				.activityId(ApprovalGateProcess.BOUNDARY_EXPIRED)
				.list()) {
				boolean postponed = job.getDuedate() == null
						|| job.getDuedate().toInstant().isAfter(request.deadline().plus(GRACE));
				if (!job.isSuspended() && !postponed) {
					continue;
				}
				if (job.isSuspended()) {
					this.managementService.activateJobById(job.getId());
				}
				this.managementService.setJobDuedate(job.getId(), Date.from(now));
				clamped.add(job.getId());
			}
		}
		return clamped;
	}

	private record OpenRequest(String id, String responseId, Instant createdAt, String expireAfter, boolean open) {

		Instant deadline() {
			return RequestDeadline.deadline(this.createdAt, this.expireAfter);
		}

	}

	/** When the request stops taking decisions; null when the policy gave no period the gate can count. */
	static Instant deadline(ApprovalRequest request) {
		return deadline(request.createdAt(), request.expireAfter());
	}

	private static Instant deadline(Instant createdAt, String expireAfter) {
		if (expireAfter == null || createdAt == null) {
			return null;
		}
		try {
			return createdAt.plus(Duration.parse(expireAfter));
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
