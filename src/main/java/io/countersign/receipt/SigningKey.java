package io.countersign.receipt;

import java.time.Instant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;

/** The active key of this node, with its private half. */
record SigningKey(String kid, int generation, ECKey jwk, Instant createdAt) {

	boolean dueAt(Instant now, ReceiptProperties properties) {
		return !now.isBefore(this.createdAt.plus(properties.rotationPeriod()));
	}

	JWSSigner signer() {
		try {
			return new ECDSASigner(this.jwk);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Receipt signing key " + this.kid + " cannot sign", ex);
		}
	}

	@Override
	public String toString() {
		return "SigningKey[kid=" + this.kid + ", generation=" + this.generation + ", createdAt=" + this.createdAt + "]";
	}

}
