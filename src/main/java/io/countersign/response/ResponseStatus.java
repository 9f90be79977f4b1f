package io.countersign.response;

public enum ResponseStatus {

	STAGING, AWAITING_APPROVAL, APPLYING, COMPLETED, REJECTED, EXPIRED, DENIED, ROLLED_BACK, FAILED, CANCELLED;

	public boolean isTerminal() {
		return switch (this) {
			case STAGING, AWAITING_APPROVAL, APPLYING -> false;
			default -> true;
		};
	}

}
