package io.countersign.audit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECPublicKey;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.Base64URL;

/**
 * The checkpoint signing key and the entry MAC key, both derived from the ledger key secret alone: every node with the same secret signs with
 * the same key, and nothing in the database, not even an encrypted copy, holds the private half. Someone with SQL
 * but without the secret cannot sign a checkpoint for a rewritten chain.
 *
 * <p>The private scalar is HMAC-SHA256(secret, label) reduced into [1, n-1]; the public point is computed here
 * because the JDK offers no public API to derive it. The arithmetic runs once per start, so plain affine
 * double-and-add is enough; {@link #of} checks the pair by signing and verifying before the key is used.
 */
public final class CheckpointKey {

	public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;

	/** The key id is this prefix and the RFC 7638 thumbprint, so it never collides with a receipt key's id. */
	public static final String KID_PREFIX = "ledger-checkpoint-";

	private static final String LABEL = "countersign ledger checkpoint key v1";

	private static final String MAC_LABEL = "countersign ledger entry mac key v1";

	private static final BigInteger P = new BigInteger(
			"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);

	private static final BigInteger A = P.subtract(BigInteger.valueOf(3));

	private static final BigInteger N = new BigInteger(
			"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

	private static final BigInteger GX = new BigInteger(
			"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", 16);

	private static final BigInteger GY = new BigInteger(
			"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", 16);

	private final ECKey jwk;

	private final SecretKeySpec macKey;

	private CheckpointKey(ECKey jwk, SecretKeySpec macKey) {
		this.jwk = jwk;
		this.macKey = macKey;
	}

	/** @throws IllegalArgumentException when the secret is shorter than {@link LedgerProperties#MIN_SECRET_LENGTH} */
	static CheckpointKey of(String secret) {
		if (secret == null || secret.length() < LedgerProperties.MIN_SECRET_LENGTH) {
			throw new IllegalArgumentException(LedgerProperties.SECRET_SETTING + " needs at least "
					+ LedgerProperties.MIN_SECRET_LENGTH + " characters");
		}
		BigInteger d = new BigInteger(1, hmac(secret, LABEL)).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
		BigInteger[] q = multiply(d, GX, GY);
		try {
			ECKey unnamed = new ECKey.Builder(Curve.P_256, unsigned(q[0]), unsigned(q[1])).d(unsigned(d)).build();
			ECKey jwk = new ECKey.Builder(unnamed).keyUse(KeyUse.SIGNATURE)
				.algorithm(ALGORITHM)
				.keyID(KID_PREFIX + unnamed.computeThumbprint().toString())
				.build();
			requirePair(jwk);
			return new CheckpointKey(jwk, new SecretKeySpec(hmac(secret, MAC_LABEL), "HmacSHA256"));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot build the ledger checkpoint key", ex);
		}
	}

	public String kid() {
		return this.jwk.getKeyID();
	}

	/** The public half, for {@code /.well-known/jwks.json}. */
	public ECKey publicJwk() {
		return this.jwk.toPublicJWK();
	}

	ECPublicKey publicKey() {
		try {
			return this.jwk.toECPublicKey();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("The ledger checkpoint key has no usable public half", ex);
		}
	}

	JWSSigner signer() {
		try {
			return new ECDSASigner(this.jwk);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("The ledger checkpoint key cannot sign", ex);
		}
	}

	@Override
	public String toString() {
		return "CheckpointKey[kid=" + kid() + "]";
	}

	private static void requirePair(ECKey jwk) throws JOSEException {
		JWSObject probe = new JWSObject(new JWSHeader(ALGORITHM), new Payload("key check"));
		probe.sign(new ECDSASigner(jwk));
		if (!probe.verify(new ECDSAVerifier(jwk.toPublicJWK()))) {
			throw new IllegalStateException("The derived ledger checkpoint key does not verify its own signature");
		}
	}

	/**
	 * The MAC that seals one entry's hash: {@code hmac-sha256:} and hex. Someone with SQL but without the secret can
	 * append entries that chain correctly, but not ones that carry a valid MAC.
	 */
	String mac(String entryHash) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.macKey);
			return "hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(entryHash.getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is required by every Java platform", ex);
		}
	}

	private static byte[] hmac(String secret, String label) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is required by every Java platform", ex);
		}
	}

	private static Base64URL unsigned(BigInteger value) {
		byte[] bytes = value.toByteArray();
		byte[] fixed = new byte[32];
		int copy = Math.min(bytes.length, 32);
		System.arraycopy(bytes, bytes.length - copy, fixed, 32 - copy, copy);
		return Base64URL.encode(fixed);
	}

	/** k·(x, y) on P-256; null stands for the point at infinity. */
	private static BigInteger[] multiply(BigInteger k, BigInteger x, BigInteger y) {
		BigInteger[] result = null;
		BigInteger[] addend = { x, y };
		for (int i = 0; i < k.bitLength(); i++) {
			if (k.testBit(i)) {
				result = add(result, addend);
			}
			addend = add(addend, addend);
		}
		return result;
	}

	private static BigInteger[] add(BigInteger[] p, BigInteger[] q) {
		if (p == null) {
			return q;
		}
		if (q == null) {
			return p;
		}
		BigInteger lambda;
		if (p[0].equals(q[0])) {
			if (!p[1].equals(q[1]) || p[1].signum() == 0) {
				return null;
			}
			lambda = p[0].pow(2).multiply(BigInteger.valueOf(3)).add(A).multiply(p[1].shiftLeft(1).modInverse(P)).mod(P);
		}
		else {
			lambda = q[1].subtract(p[1]).multiply(q[0].subtract(p[0]).modInverse(P)).mod(P);
		}
		BigInteger rx = lambda.pow(2).subtract(p[0]).subtract(q[0]).mod(P);
		BigInteger ry = lambda.multiply(p[0].subtract(rx)).subtract(p[1]).mod(P);
		return new BigInteger[] { rx, ry };
	}

}
