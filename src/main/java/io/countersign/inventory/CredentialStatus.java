package io.countersign.inventory;

public enum CredentialStatus {

	ACTIVE, SUSPENDED, DISABLED, REVOKED

}
