package io.countersign.response;

public enum ResponseStatus {

	STAGING, AWAITING_APPROVAL, APPLYING,
	/** Applied and verified; the playbook still runs: a rollback window, or a quarantine that can be released. */
	APPLIED,
	/** An approver chose to keep watching; the playbook asks again when the period ends. */
	MONITORING, COMPLETED, REJECTED, EXPIRED, DENIED, ROLLED_BACK, FAILED, CANCELLED;

	public boolean isTerminal() {
		return switch (this) {
			case STAGING, AWAITING_APPROVAL, APPLYING, APPLIED, MONITORING -> false;
			default -> true;
		};
	}

}
