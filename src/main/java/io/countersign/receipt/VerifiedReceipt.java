package io.countersign.receipt;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A receipt whose signature, issuer, lifetime, subject and fingerprint have been checked.
 *
 * @param id the receipt id ({@code jti})
 * @param claims every claim of the token as JSON values ({@code iat} and {@code exp} as epoch seconds), extra
 * claims included
 */
public record VerifiedReceipt(String id, String subject, String fingerprint, List<String> approvers,
		String policyRule, Instant issuedAt, Instant expiresAt, String keyId, Map<String, Object> claims) {

	public VerifiedReceipt {
		approvers = List.copyOf(approvers);
		claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
	}

}
