package io.countersign.inventory;

public enum IdentityStatus {

	ACTIVE, DISABLED, QUARANTINED

}
