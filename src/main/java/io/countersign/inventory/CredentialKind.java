package io.countersign.inventory;

public enum CredentialKind {

	API_KEY, ACCESS_TOKEN, CLIENT_SECRET, PASSWORD, PRIVATE_KEY, CERTIFICATE, FEDERATED_TRUST

}
