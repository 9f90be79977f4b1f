package io.countersign.notify;

import io.countersign.response.ResponseStatus;

/**
 * How a response ended, for whoever asked for it.
 * @param responseId the response
 * @param what what it was about, e.g. "secret-rotation of key-1 of svc-payments: Key seen in a public gist"
 * @param status its final status
 * @param why the recorded reason
 * @param link the response in the API
 */
record OutcomeNotice(String responseId, String what, ResponseStatus status, String why, String link) {

	/** The outcome in a few words, the message's title. */
	String headline() {
		return switch (this.status) {
			case COMPLETED -> "Approved and applied";
			case REJECTED -> "Rejected";
			case EXPIRED -> "Expired: nobody decided in time, nothing was applied";
			case DENIED -> "Denied by policy";
			case ROLLED_BACK -> "Rolled back";
			case FAILED -> "Failed";
			case CANCELLED -> "Cancelled";
			default -> this.status.name();
		};
	}

	String whatLine() {
		return PlainText.singleLine(this.what, 500);
	}

	String whyLine() {
		return PlainText.singleLine(this.why, 500);
	}

}
