package io.countersign.action;

/**
 * One call to an {@link ActionConnector}.
 *
 * @param responseId the response the action belongs to: the receipt's subject
 * @param action exactly what was approved; its fingerprint is bound into the receipt
 * @param idempotencyKey the same for every retry of one step of one action, different for every other step
 * @param receipt the signed approval receipt (compact JWS); {@code null} only for {@code stage}
 */
public record ConnectorCall(String responseId, StagedAction action, String idempotencyKey, String receipt) {

	public ConnectorCall {
		if (responseId == null || action == null || idempotencyKey == null || idempotencyKey.isBlank()) {
			throw new IllegalArgumentException("A connector call needs a response id, an action and an idempotency key");
		}
	}

}
