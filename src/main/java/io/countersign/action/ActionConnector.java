package io.countersign.action;

/**
 * Where an approved action is carried out. Countersign decides whether an action may run; a connector runs it, and
 * must be safe to call again with the same idempotency key: jobs retry, and a retried call must change nothing
 * twice.
 *
 * <p>Every call but {@link #stage} carries the approval receipt of the action. A connector verifies it before it
 * changes anything, and spends it on {@link #apply} (single use), so a compromised caller cannot replay an approval
 * or apply an action nobody approved.
 */
public interface ActionConnector {

	/** The name configuration uses to route action types here, for example {@code inventory} or {@code webhook}. */
	String name();

	/**
	 * Checks that the action can run against the target as it is now, changing nothing.
	 * @throws ConnectorException when the target cannot take the action (unknown, already in that state)
	 */
	void stage(ConnectorCall call);

	/**
	 * Carries out the action, or does nothing if {@code call.idempotencyKey()} was applied already.
	 * @throws ConnectorException when the target refused or the call failed; nothing may be half-applied
	 * @throws io.countersign.receipt.ReceiptRejectedException when the receipt does not authorise this call
	 */
	void apply(ConnectorCall call);

	/**
	 * Checks the target now reflects the applied action.
	 * @throws ConnectorException when it does not
	 */
	void verify(ConnectorCall call);

	/**
	 * Undoes an applied action, or does nothing if it was never applied or is already undone.
	 * @throws ConnectorException when the undo failed
	 */
	void rollback(ConnectorCall call);

}
