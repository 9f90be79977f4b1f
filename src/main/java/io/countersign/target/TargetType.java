package io.countersign.target;

import java.util.Locale;

/** What kind of system a target is, and so which connector carries out actions on it. */
public enum TargetType {

	/** Countersign's own inventory tables: the zero-setup default. */
	INVENTORY,

	/** A Keycloak realm: identities are confidential clients with service accounts. */
	KEYCLOAK,

	/** A PostgreSQL cluster: identities are login roles. */
	POSTGRESQL,

	/** An orchestrator that receives every approved action as a signed HTTP call. */
	WEBHOOK;

	public String json() {
		return name().toLowerCase(Locale.ROOT);
	}

}
