package io.countersign.inventory;

/** The inventory is not in the state an action expects: the action must not proceed. */
public class InventoryConflictException extends RuntimeException {

	public InventoryConflictException(String message) {
		super(message);
	}

}
