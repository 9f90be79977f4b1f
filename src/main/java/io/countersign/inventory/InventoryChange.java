package io.countersign.inventory;

/**
 * Who asks for a change to the inventory, recorded with what it overwrote. The idempotency key makes a retried
 * apply a no-op and names the change to undo.
 *
 * @param idempotencyKey the same for every retry of one apply, at most 200 characters
 * @param actionType the staged action's type, for example {@code credential.disable}
 * @param target the staged action's target, at most 128 characters
 * @param responseId the response the action belongs to
 * @param actionFingerprint the fingerprint of the approved action, which its receipt is bound to
 */
public record InventoryChange(String idempotencyKey, String actionType, String target, String responseId,
		String actionFingerprint) {

	public InventoryChange {
		requireText("idempotencyKey", idempotencyKey, 200);
		requireText("actionType", actionType, 64);
		requireText("target", target, 128);
		requireText("responseId", responseId, 36);
		requireText("actionFingerprint", actionFingerprint, 80);
	}

	private static void requireText(String name, String value, int maxLength) {
		if (value == null || value.isBlank() || value.length() > maxLength) {
			throw new IllegalArgumentException(
					"An inventory change needs a " + name + " of 1 to " + maxLength + " characters");
		}
	}

}
