package io.countersign.inventory;

public enum CredentialStatus {

	ACTIVE, DISABLED, REVOKED

}
