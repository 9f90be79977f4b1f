package io.countersign.receipt;

import java.util.Set;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;

/** The shape of a receipt token, shared by the issuer, the verifier and the published keys. */
final class ReceiptClaims {

	/** {@code typ} header: tells a receipt apart from any other JWT signed by a key a verifier trusts. */
	static final JOSEObjectType TYPE = new JOSEObjectType("countersign-receipt+jwt");

	static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;

	static final String FINGERPRINT = "fingerprint";

	static final String APPROVERS = "approvers";

	static final String POLICY_RULE = "policyRule";

	/**
	 * Claims extra claims may not set: ours, and every registered JWT claim, since a remote verifier gives
	 * {@code aud} or {@code nbf} a meaning we did not sign for.
	 */
	static final Set<String> RESERVED = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", FINGERPRINT, APPROVERS,
			POLICY_RULE);

	private ReceiptClaims() {
	}

}
