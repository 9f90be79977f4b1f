package io.countersign.connector.postgresql;

/**
 * A role operation failed on the target, or was refused before anything was sent. Messages name the role and the
 * server's answer, never password material: the material is never in a statement, so the server cannot echo it.
 */
class PostgresRoleException extends RuntimeException {

	private final String sqlState;

	PostgresRoleException(String message) {
		super(message);
		this.sqlState = null;
	}

	PostgresRoleException(String message, String sqlState, Throwable cause) {
		super(message, cause);
		this.sqlState = sqlState;
	}

	/** The server's SQLSTATE, or null when the operation was refused here. */
	String getSqlState() {
		return this.sqlState;
	}

}
