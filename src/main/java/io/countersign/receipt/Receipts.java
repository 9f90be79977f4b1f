package io.countersign.receipt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Issues approval receipts: short-lived ES256 JWS tokens that say who approved which exact action under which
 * rule. A connector verifies one with {@link ReceiptVerifier} before it changes anything; a remote verifier uses the
 * keys at {@code /.well-known/jwks.json}.
 */
@Service
public class Receipts {

	private static final Logger log = LoggerFactory.getLogger(Receipts.class);

	private final ReceiptKeys keys;

	private final ReceiptProperties properties;

	private final Clock clock;

	Receipts(ReceiptKeys keys, ReceiptProperties properties, Clock clock) {
		this.keys = keys;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Signs a receipt for {@code request} with the active key, rotating it first when due.
	 * @throws IllegalArgumentException when the ttl exceeds {@code countersign.receipts.max-ttl} or is under a second
	 */
	public IssuedReceipt issue(ReceiptRequest request) {
		Duration ttl = (request.ttl() != null) ? request.ttl() : this.properties.ttl();
		if (ttl.compareTo(this.properties.maxTtl()) > 0) {
			throw new IllegalArgumentException(
					"Receipt ttl " + ttl + " exceeds countersign.receipts.max-ttl " + this.properties.maxTtl());
		}
		// JWT times are whole seconds: truncate here so that what we return is what the token says.
		Instant issuedAt = this.clock.instant().truncatedTo(ChronoUnit.SECONDS);
		Instant expiresAt = issuedAt.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
		if (!expiresAt.isAfter(issuedAt)) {
			throw new IllegalArgumentException("Receipt ttl " + ttl + " is under a second");
		}
		SigningKey key = this.keys.signingKey();
		String id = UUID.randomUUID().toString();
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
		request.extraClaims().forEach(claims::claim);
		claims.issuer(this.properties.issuer())
			.subject(request.subject())
			.jwtID(id)
			.issueTime(Date.from(issuedAt))
			.expirationTime(Date.from(expiresAt))
			.claim(ReceiptClaims.FINGERPRINT, request.fingerprint())
			.claim(ReceiptClaims.APPROVERS, request.approvers())
			.claim(ReceiptClaims.POLICY_RULE, request.policyRule());
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(ReceiptClaims.ALGORITHM).keyID(key.kid()).type(ReceiptClaims.TYPE).build(),
				claims.build());
		try {
			jwt.sign(key.signer());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Receipt signing key " + key.kid() + " failed to sign", ex);
		}
		log.info("Issued receipt {} for {} ({}), approved by {} under {}, key {}, expires {}", id, request.subject(),
				request.fingerprint(), request.approvers(), request.policyRule(), key.kid(), expiresAt);
		return new IssuedReceipt(id, jwt.serialize(), key.kid(), issuedAt, expiresAt);
	}

}
