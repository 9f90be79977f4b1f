package io.countersign.connector.postgresql;

/**
 * The result of {@link PostgresRoles#rotate}: the new password, for the caller to hand to the secret sink and then
 * forget, and its fingerprint, which is all Countersign keeps.
 *
 * @param role the role whose password was replaced
 * @param material the new password (43 base64url characters, 256 random bits)
 * @param fingerprint {@code sha256:<hex>} of the material's UTF-8 bytes
 * @param verifier the SCRAM-SHA-256 verifier of the material, which is what the server stores; it lets nobody log
 * in, but it would let an attacker brute-force a weak password offline, so it is not kept either
 */
record RotatedPassword(String role, String material, String fingerprint, String verifier) {

	/** What {@link PasswordVerifier#fingerprint()} shows once the server stores this verifier. */
	String verifierFingerprint() {
		return PostgresRoles.fingerprint(this.verifier);
	}

	/** Never the material: records are printed by loggers, debuggers and exception messages. */
	@Override
	public String toString() {
		return "RotatedPassword[role=" + this.role + ", fingerprint=" + this.fingerprint + ", material=(redacted), verifier=(redacted)]";
	}

}
