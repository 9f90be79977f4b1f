package io.countersign.gate;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Map;

import io.countersign.response.ResponseEndedHandler;
import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A response that ended leaves no request open: a task left behind (a deleted gate, a run that ended blocked while
 * its gate still waited) could otherwise still collect an approval and a receipt for a response that is over.
 */
@Component
class OpenRequestsClosing implements ResponseEndedHandler {

	private final JdbcClient jdbc;

	private final Responses responses;

	private final Clock clock = Clock.systemUTC();

	OpenRequestsClosing(JdbcClient jdbc, Responses responses) {
		this.jdbc = jdbc;
		this.responses = responses;
	}

	@Override
	public void ended(String responseId, ResponseStatus status, String why) {
		this.jdbc.sql("select id from approval_request where response_id = ? and status = 'OPEN' order by created_at, id")
			.param(responseId)
			.query(String.class)
			.list()
			.forEach(id -> {
				int closed = this.jdbc
					.sql("update approval_request set status = ?, decided_at = ? where id = ? and status = 'OPEN'")
					.params(ApprovalRequest.Status.CANCELLED.name(), Timestamp.from(this.clock.instant()), id)
					.update();
				if (closed == 1) {
					this.responses.event(responseId, "APPROVAL_CANCELLED", null, "Approval request " + id
							+ " closed: the response ended " + status + " while it was open; nothing can be decided",
							Map.of("approvalRequest", id));
				}
			});
	}

}
