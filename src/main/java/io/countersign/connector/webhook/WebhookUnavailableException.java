package io.countersign.connector.webhook;

/**
 * The webhook receiver could not be reached or did not answer in time. Deliberately not a
 * {@link io.countersign.action.ConnectorException}: nobody said no, so it is a technical fault. It propagates out of
 * the job, the engine retries the job with the same idempotency key (a receiver that did act on the lost call
 * recognises the key and changes nothing twice), and raises an incident when the retries run out.
 */
public class WebhookUnavailableException extends RuntimeException {

	WebhookUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
