package io.countersign.response;

/** Told, in the same transaction, when a response reaches a final status: what was still open for it is closed. */
public interface ResponseEndedHandler {

	void ended(String responseId, ResponseStatus status, String why);

}
