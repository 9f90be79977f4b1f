package io.countersign.connector.postgresql;

/**
 * What {@link PostgresRoles#describe} may say about a role's stored password: its kind and a fingerprint of the
 * verifier, never the verifier itself (a verifier is enough to brute-force a weak password offline). The
 * fingerprint changes whenever the password is set, even to the same password, because every verifier has a fresh
 * salt; that makes it a drift signal.
 *
 * @param kind what {@code pg_authid.rolpassword} holds
 * @param fingerprint {@code sha256:<hex>} of {@code rolpassword}, or null when there is none or it is unreadable
 * @param unreadableReason why the verifier could not be read, or null when it could
 */
record PasswordVerifier(Kind kind, String fingerprint, String unreadableReason) {

	static PasswordVerifier none() {
		return new PasswordVerifier(Kind.NONE, null, null);
	}

	static PasswordVerifier unreadable(String reason) {
		return new PasswordVerifier(Kind.UNREADABLE, null, reason);
	}

	enum Kind {

		/** The role has no password. */
		NONE,

		SCRAM_SHA_256,

		MD5,

		/** Something else (a plaintext password from a very old server, or a format we do not know). */
		OTHER,

		/** The connecting role may not read {@code pg_authid}; see {@link PasswordVerifier#unreadableReason()}. */
		UNREADABLE

	}

}
