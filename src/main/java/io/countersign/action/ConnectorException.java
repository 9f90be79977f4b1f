package io.countersign.action;

/**
 * The target refused or could not take an action. A business outcome, not a technical fault: playbooks model it
 * (roll back, or end without change) instead of retrying.
 */
public class ConnectorException extends RuntimeException {

	public ConnectorException(String message) {
		super(message);
	}

	public ConnectorException(String message, Throwable cause) {
		super(message, cause);
	}

}
