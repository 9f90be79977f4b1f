package io.countersign.notify;

import io.countersign.response.ResponseEndedHandler;
import io.countersign.response.ResponseStatus;

import org.springframework.stereotype.Component;

/**
 * Every final status of a response passes through {@link ResponseEndedHandler} (end events, cancelled instances,
 * the expiry sweep), in the transaction that records it: the one place to tell requesters the outcome.
 */
@Component
class ResponseOutcomeNotifier implements ResponseEndedHandler {

	private final Notifications notifications;

	ResponseOutcomeNotifier(Notifications notifications) {
		this.notifications = notifications;
	}

	@Override
	public void ended(String responseId, ResponseStatus status, String why) {
		this.notifications.responseEnded(responseId, status, why);
	}

}
