package io.countersign.connector.postgresql;

import java.time.Instant;
import java.util.List;

/**
 * A PostgreSQL role as {@link PostgresRoles#describe} found it.
 *
 * @param role the role name
 * @param exists false when no role has that name (every other component is then empty)
 * @param canLogin {@code rolcanlogin}
 * @param validUntil {@code rolvaliduntil}: null for no limit (null or {@code infinity}), {@link Instant#MIN} for
 * {@code -infinity} (the password never works)
 * @param memberOf the roles it is a direct member of, sorted
 * @param password its stored password verifier, as far as the connecting role may know it
 */
record RoleState(String role, boolean exists, boolean canLogin, Instant validUntil, List<String> memberOf,
		PasswordVerifier password) {

	RoleState {
		memberOf = List.copyOf(memberOf);
	}

	static RoleState missing(String role) {
		return new RoleState(role, false, false, null, List.of(), PasswordVerifier.none());
	}

}
