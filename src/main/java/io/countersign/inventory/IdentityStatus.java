package io.countersign.inventory;

public enum IdentityStatus {

	ACTIVE, SUSPENDED, DISABLED, QUARANTINED

}
