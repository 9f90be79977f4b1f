package io.countersign.api;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

import org.camunda.bpm.engine.OptimisticLockingException;

import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.client.ResourceAccessException;

/**
 * What a failed database call means to the caller, whichever layer wrapped it (the engine's MyBatis, Spring's
 * translation, engine-rest): a lost race is a conflict to retry after reading again, a database that cannot be
 * reached is a temporary outage, anything else is our bug. An identity provider that cannot be reached (Keycloak under
 * profile {@code keycloak}: the engine asks it for every membership check) is an outage too; the check failed, so
 * nothing was decided.
 */
public final class DatabaseFailures {

	/**
	 * SQLStates of a lost race: H2's lock timeout (HYT00, error 50200, e.g. two completions of one approval request),
	 * serialization failure and deadlock (40001, 40P01), PostgreSQL's lock not available (55P03).
	 */
	private static final Set<String> CONFLICT_STATES = Set.of("HYT00", "40001", "40P01", "55P03");

	/** H2's "concurrent update" and "deadlock" error codes; they come with the generic SQLState HY000. */
	private static final Set<Integer> H2_CONFLICT_CODES = Set.of(50200, 90131, 40001);

	public enum Kind {

		CONFLICT, UNAVAILABLE, OTHER

	}

	private DatabaseFailures() {
	}

	public static Kind classify(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = next(cause)) {
			if (cause instanceof OptimisticLockingException || cause instanceof ConcurrencyFailureException) {
				return Kind.CONFLICT;
			}
			if (cause instanceof ResourceAccessException) {
				return Kind.UNAVAILABLE;
			}
			if (cause instanceof CannotGetJdbcConnectionException || cause instanceof CannotCreateTransactionException
					|| cause instanceof DataAccessResourceFailureException
					|| cause instanceof TransientDataAccessResourceException
					|| cause instanceof SQLTransientConnectionException) {
				return Kind.UNAVAILABLE;
			}
			// The rollback (or commit) itself failed: the connection is gone. Spring reports this one and drops the
			// failure that caused the rollback, so it is all there is to go by.
			if (cause instanceof TransactionSystemException) {
				return Kind.UNAVAILABLE;
			}
			if (cause instanceof SQLException sql) {
				String state = sql.getSQLState() == null ? "" : sql.getSQLState();
				if (CONFLICT_STATES.contains(state) || H2_CONFLICT_CODES.contains(sql.getErrorCode())) {
					return Kind.CONFLICT;
				}
				// Class 08: connection exception; 57P01-57P03: the server is shutting down or not yet accepting.
				if (state.startsWith("08") || state.startsWith("57P")) {
					return Kind.UNAVAILABLE;
				}
			}
		}
		return Kind.OTHER;
	}

	/** The problem detail of an {@link Kind#UNAVAILABLE} failure: which system is out, and that nothing happened. */
	public static String unavailableDetail(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = next(cause)) {
			if (cause instanceof ResourceAccessException) {
				return "The identity provider is not reachable; nothing was decided or stored. Retry later";
			}
		}
		return "The database is not reachable; nothing was stored. Retry later";
	}

	private static Throwable next(Throwable cause) {
		if (cause instanceof SQLException sql && sql.getNextException() != null && cause.getCause() == null) {
			return sql.getNextException();
		}
		return cause.getCause() == cause ? null : cause.getCause();
	}

}
