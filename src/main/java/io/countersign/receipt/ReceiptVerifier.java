package io.countersign.receipt;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Checks a receipt before its action is applied, in this order, each failure with its
 * {@link ReceiptRejectedException#reason() reason}: it parses ({@code malformed}); it is a receipt, signed by a key
 * we still publish, from our issuer ({@code foreign}); it has not expired, with no leeway ({@code expired}); it is
 * for this subject ({@code subject-mismatch}) and this exact action ({@code fingerprint-mismatch}); and, when
 * consumed, it was not spent before ({@code replayed}).
 */
@Service
public class ReceiptVerifier {

	/** Far above any receipt we sign; a bound before parsing untrusted input. */
	static final int MAX_TOKEN_LENGTH = 16 * 1024;

	static final int MAX_CONSUMER_LENGTH = 128;

	private static final Logger log = LoggerFactory.getLogger(ReceiptVerifier.class);

	private final ReceiptKeys keys;

	private final ReceiptUses uses;

	private final ReceiptProperties properties;

	private final Clock clock;

	ReceiptVerifier(ReceiptKeys keys, ReceiptUses uses, ReceiptProperties properties, Clock clock) {
		this.keys = keys;
		this.uses = uses;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Verifies without spending the receipt: for looking before acting. Whatever applies the action must use
	 * {@link #verifyAndConsume}.
	 * @throws ReceiptRejectedException when the receipt does not authorise this action now
	 */
	public VerifiedReceipt verify(String token, String expectedSubject, String expectedFingerprint) {
		return logged(token, expectedSubject, expectedFingerprint, true);
	}

	/**
	 * Verifies a receipt for one more use without spending it, and refuses one that was spent: once a use spent it,
	 * nothing else may run under it, whether the next caller asks to spend it or only to report.
	 * @throws ReceiptRejectedException as {@link #verify}, or {@code replayed} when it was spent before
	 */
	public VerifiedReceipt verifyUnspent(String token, String expectedSubject, String expectedFingerprint) {
		VerifiedReceipt receipt = verify(token, expectedSubject, expectedFingerprint);
		Optional<String> spentBy = this.uses.spentBy(receipt.id());
		if (spentBy.isPresent()) {
			log.warn("receipt {} was already spent by {} (subject {})", receipt.id(), spentBy.get(), receipt.subject());
			throw new ReceiptRejectedException(ReceiptRejectedException.REPLAYED,
					"receipt " + receipt.id() + " was already used by " + spentBy.get());
		}
		return receipt;
	}

	/**
	 * Verifies a receipt presented to undo or re-check what it authorised: signature, issuer, subject and
	 * fingerprint, but not expiry. Undoing must stay possible after the approval's lifetime (a rollback after a slow
	 * verify, releasing a containment when the decision window closes), and an undo can only revert a change this
	 * very receipt authorised, which connectors look up by the action's idempotency key.
	 * @throws ReceiptRejectedException when the receipt is not ours or not for this action
	 */
	public VerifiedReceipt verifyForUndo(String token, String expectedSubject, String expectedFingerprint) {
		return logged(token, expectedSubject, expectedFingerprint, false);
	}

	private VerifiedReceipt logged(String token, String expectedSubject, String expectedFingerprint,
			boolean enforceExpiry) {
		requireNonBlank("expectedSubject", expectedSubject);
		requireNonBlank("expectedFingerprint", expectedFingerprint);
		try {
			return check(token, expectedSubject, expectedFingerprint, enforceExpiry);
		}
		catch (ReceiptRejectedException ex) {
			log.info("{}", ex.getMessage());
			throw ex;
		}
	}

	/**
	 * Verifies and spends the receipt in the caller's transaction, so call it in the transaction that applies the
	 * action: if that rolls back, the receipt is unspent and a retry can use it. A refusal leaves the caller's
	 * transaction usable, on PostgreSQL too.
	 * @param consumer who spends it (a connector, a job), recorded with the use
	 * @throws ReceiptRejectedException when the receipt does not authorise this action now, or was spent before
	 */
	public VerifiedReceipt verifyAndConsume(String token, String expectedSubject, String expectedFingerprint,
			String consumer) {
		requireNonBlank("consumer", consumer);
		if (consumer.length() > MAX_CONSUMER_LENGTH) {
			throw new IllegalArgumentException("consumer is longer than " + MAX_CONSUMER_LENGTH + " characters");
		}
		VerifiedReceipt receipt = verify(token, expectedSubject, expectedFingerprint);
		try {
			this.uses.consume(receipt, consumer, this.clock.instant());
		}
		catch (ReceiptRejectedException ex) {
			log.warn("{} (subject {}, consumer {})", ex.getMessage(), receipt.subject(), consumer);
			throw ex;
		}
		return receipt;
	}

	private VerifiedReceipt check(String token, String expectedSubject, String expectedFingerprint,
			boolean enforceExpiry) {
		SignedJWT jwt = parse(token);
		JWTClaimsSet claims = claims(jwt);
		VerifiedReceipt receipt = read(jwt, claims);
		JWSHeader header = jwt.getHeader();
		// The algorithm is fixed, never taken from the token: "none" or HS256 with our public key as secret fail here.
		if (!ReceiptClaims.ALGORITHM.equals(header.getAlgorithm())) {
			throw rejected(ReceiptRejectedException.FOREIGN, receipt, "algorithm " + header.getAlgorithm());
		}
		if (!ReceiptClaims.TYPE.equals(header.getType())) {
			throw rejected(ReceiptRejectedException.FOREIGN, receipt, "type " + header.getType());
		}
		String kid = header.getKeyID();
		Optional<ECKey> key = (kid == null || kid.length() > 64) ? Optional.empty() : this.keys.verificationKey(kid);
		if (key.isEmpty()) {
			throw rejected(ReceiptRejectedException.FOREIGN, receipt, "unknown or retired key id " + kid);
		}
		if (!signatureValid(jwt, key.get())) {
			throw rejected(ReceiptRejectedException.FOREIGN, receipt, "bad signature for key " + kid);
		}
		if (!this.properties.issuer().equals(claims.getIssuer())) {
			throw rejected(ReceiptRejectedException.FOREIGN, receipt, "issuer " + claims.getIssuer());
		}
		Instant now = this.clock.instant();
		if (enforceExpiry && !receipt.expiresAt().isAfter(now)) {
			throw rejected(ReceiptRejectedException.EXPIRED, receipt, "expired at " + receipt.expiresAt());
		}
		if (!receipt.subject().equals(expectedSubject)) {
			throw rejected(ReceiptRejectedException.SUBJECT_MISMATCH, receipt,
					"issued for " + receipt.subject() + ", presented for " + expectedSubject);
		}
		if (!receipt.fingerprint().equals(expectedFingerprint)) {
			throw rejected(ReceiptRejectedException.FINGERPRINT_MISMATCH, receipt,
					"approved " + receipt.fingerprint() + ", presented for " + expectedFingerprint);
		}
		return receipt;
	}

	private static SignedJWT parse(String token) {
		if (token == null || token.isBlank()) {
			throw new ReceiptRejectedException(ReceiptRejectedException.MALFORMED, "no token");
		}
		if (token.length() > MAX_TOKEN_LENGTH) {
			throw new ReceiptRejectedException(ReceiptRejectedException.MALFORMED, "token too long");
		}
		try {
			return SignedJWT.parse(token);
		}
		catch (ParseException ex) {
			throw new ReceiptRejectedException(ReceiptRejectedException.MALFORMED, "not a signed JWT");
		}
	}

	private static JWTClaimsSet claims(SignedJWT jwt) {
		try {
			return jwt.getJWTClaimsSet();
		}
		catch (ParseException ex) {
			throw new ReceiptRejectedException(ReceiptRejectedException.MALFORMED, "claims are not a JSON object");
		}
	}

	/** Every claim a receipt must have, with its type; nothing here is trusted until the signature is checked. */
	private static VerifiedReceipt read(SignedJWT jwt, JWTClaimsSet claims) {
		try {
			String id = claims.getJWTID();
			String subject = claims.getSubject();
			Date issuedAt = claims.getIssueTime();
			Date expiresAt = claims.getExpirationTime();
			String fingerprint = claims.getStringClaim(ReceiptClaims.FINGERPRINT);
			List<String> approvers = claims.getStringListClaim(ReceiptClaims.APPROVERS);
			String policyRule = claims.getStringClaim(ReceiptClaims.POLICY_RULE);
			if (id == null || subject == null || issuedAt == null || expiresAt == null || fingerprint == null
					|| approvers == null || approvers.contains(null) || policyRule == null) {
				throw new ReceiptRejectedException(ReceiptRejectedException.MALFORMED, "a required claim is missing");
			}
			return new VerifiedReceipt(id, subject, fingerprint, approvers, policyRule, issuedAt.toInstant(),
					expiresAt.toInstant(), jwt.getHeader().getKeyID(), claims.toJSONObject());
		}
		catch (ParseException ex) {
			throw new ReceiptRejectedException(ReceiptRejectedException.MALFORMED, "a claim has the wrong type");
		}
	}

	private static boolean signatureValid(SignedJWT jwt, ECKey key) {
		try {
			return jwt.verify(new ECDSAVerifier(key));
		}
		catch (JOSEException ex) {
			return false;
		}
	}

	private static ReceiptRejectedException rejected(String reason, VerifiedReceipt receipt, String detail) {
		return new ReceiptRejectedException(reason, "receipt " + receipt.id() + ": " + detail);
	}

	private static void requireNonBlank(String name, String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " is required");
		}
	}

}
