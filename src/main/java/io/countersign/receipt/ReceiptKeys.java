package io.countersign.receipt;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The receipt signing keys, kept in the database so that every node signs with the same key and a restart keeps
 * it. One key is active at a time; when it is older than the rotation period a new one replaces it, and the old one
 * stays published until {@code max-ttl} after its retirement, when the last receipt it signed has expired.
 *
 * <p>Creating and rotating happen in their own transaction while holding the lock row, so nodes starting or
 * rotating together agree on one active key, and a key is committed, hence published, before it signs anything,
 * whatever becomes of the caller's transaction.
 */
@Component
class ReceiptKeys implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(ReceiptKeys.class);

	private static final String PUBLISHED = "(retired_at is null or publish_until > ?)";

	private final JdbcClient jdbc;

	private final TransactionTemplate ownTransaction;

	private final ReceiptProperties properties;

	private final KeyEncryption encryption;

	private final Clock clock;

	/** Public keys parsed once per kid; whether a kid is still published is read from the database each time. */
	private final Map<String, ECKey> publicKeys = new ConcurrentHashMap<>();

	private volatile SigningKey active;

	ReceiptKeys(JdbcClient jdbc, PlatformTransactionManager transactionManager, ReceiptProperties properties,
			Clock clock) {
		this.jdbc = jdbc;
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.properties = properties;
		this.encryption = new KeyEncryption(properties.keyEncryptionSecret());
		this.clock = clock;
	}

	/** Fails startup when the stored key cannot be read (no or wrong secret), instead of at the first approval. */
	@Override
	public void afterSingletonsInstantiated() {
		if (!this.encryption.encrypts()) {
			log.warn("{} is not set: receipt signing keys are stored unencrypted in the database. The prod profile "
					+ "refuses to start like this.", ReceiptProperties.SECRET_SETTING);
		}
		SigningKey key = refresh();
		log.info("Receipt signing key {} (generation {}, created {}) is active", key.kid(), key.generation(),
				key.createdAt());
	}

	/**
	 * The key to sign with now. Looks up the active key's id on every call, so a rotation by another node, or a
	 * retirement by an operator, takes effect at once.
	 */
	SigningKey signingKey() {
		SigningKey key = this.active;
		Instant now = this.clock.instant();
		if (key != null && !key.dueAt(now, this.properties) && key.kid().equals(activeKid().orElse(null))) {
			return key;
		}
		return refresh();
	}

	/**
	 * Rotates when due, creates the first key when there is none, and loads the active key. Serialised across nodes
	 * by the lock row.
	 */
	synchronized SigningKey refresh() {
		SigningKey key = this.ownTransaction.execute(status -> {
			this.jdbc.sql("select id from receipt_key_lock where id = 1 for update").query(Integer.class).single();
			Instant now = this.clock.instant();
			List<StoredKey> current = this.jdbc
				.sql("select * from receipt_signing_key where retired_at is null order by generation desc")
				.query(ReceiptKeys::map)
				.list();
			StoredKey newest = current.isEmpty() ? null : current.get(0);
			if (newest != null && !replace(newest, now)) {
				// More than one active key only after a manual change: the newest wins.
				current.stream().skip(1).forEach(older -> retire(older, now));
				return load(newest);
			}
			current.forEach(older -> retire(older, now));
			return create(nextGeneration(), now);
		});
		this.active = key;
		return key;
	}

	/** The public key for {@code kid}, while it is published. */
	Optional<ECKey> verificationKey(String kid) {
		boolean published = this.jdbc.sql("select count(*) from receipt_signing_key where kid = ? and " + PUBLISHED)
			.params(kid, Timestamp.from(this.clock.instant()))
			.query(Long.class)
			.single() == 1;
		if (!published) {
			return Optional.empty();
		}
		return Optional.of(this.publicKeys.computeIfAbsent(kid, this::readPublicKey));
	}

	/** The active key and every retired key some unexpired receipt may still carry, newest first. */
	List<ECKey> publishedKeys() {
		return this.jdbc
			.sql("select public_jwk from receipt_signing_key where " + PUBLISHED + " order by generation desc")
			.param(Timestamp.from(this.clock.instant()))
			.query(String.class)
			.list()
			.stream()
			.map(ReceiptKeys::parsePublic)
			.toList();
	}

	private Optional<String> activeKid() {
		return this.jdbc
			.sql("select kid from receipt_signing_key where retired_at is null order by generation desc limit 1")
			.query(String.class)
			.optional();
	}

	private boolean replace(StoredKey key, Instant now) {
		if (!now.isBefore(key.createdAt().plus(this.properties.rotationPeriod()))) {
			log.info("Receipt signing key {} is older than {}; rotating", key.kid(), this.properties.rotationPeriod());
			return true;
		}
		if (this.encryption.encrypts() && key.privateKey() != null && !KeyEncryption.isEncrypted(key.privateKey())) {
			// It was stored before a secret was configured: replace it rather than keep a key that sat in the clear.
			log.info("Receipt signing key {} is stored unencrypted and a secret is now configured; rotating",
					key.kid());
			return true;
		}
		return false;
	}

	private void retire(StoredKey key, Instant now) {
		Instant publishUntil = now.plus(this.properties.maxTtl());
		// The private half goes: a retired key never signs again, and verifying needs only the public half.
		this.jdbc
			.sql("update receipt_signing_key set retired_at = ?, publish_until = ?, private_key = null where kid = ?")
			.params(Timestamp.from(now), Timestamp.from(publishUntil), key.kid())
			.update();
		log.info("Receipt signing key {} retired; published until {}", key.kid(), publishUntil);
	}

	private int nextGeneration() {
		return this.jdbc.sql("select coalesce(max(generation), 0) + 1 from receipt_signing_key")
			.query(Integer.class)
			.single();
	}

	private SigningKey create(int generation, Instant now) {
		ECKey generated;
		try {
			generated = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE)
				.algorithm(ReceiptClaims.ALGORITHM)
				.keyIDFromThumbprint(true)
				.generate();
			this.jdbc.sql("""
					insert into receipt_signing_key (kid, generation, algorithm, public_jwk, private_key, created_at)
					values (?, ?, ?, ?, ?, ?)""")
				.params(generated.getKeyID(), generation, ReceiptClaims.ALGORITHM.getName(),
						generated.toPublicJWK().toJSONString(),
						this.encryption.seal(generated.toECPrivateKey().getEncoded()), Timestamp.from(now))
				.update();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot generate a P-256 receipt signing key", ex);
		}
		log.info("Created receipt signing key {} (generation {}, private key {})", generated.getKeyID(), generation,
				this.encryption.encrypts() ? "encrypted" : "NOT encrypted");
		return new SigningKey(generated.getKeyID(), generation, generated, now);
	}

	private SigningKey load(StoredKey stored) {
		if (stored.privateKey() == null) {
			throw new IllegalStateException(
					"Receipt signing key " + stored.kid() + " is active but has no private key");
		}
		byte[] pkcs8 = this.encryption.open(stored.kid(), stored.privateKey());
		ECKey jwk;
		try {
			ECPrivateKey privateKey = (ECPrivateKey) KeyFactory.getInstance("EC")
				.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
			jwk = new ECKey.Builder(parsePublic(stored.publicJwk())).privateKey(privateKey).build();
		}
		catch (GeneralSecurityException | ClassCastException ex) {
			throw new IllegalStateException("Receipt signing key " + stored.kid() + " holds no EC private key", ex);
		}
		requirePair(jwk);
		return new SigningKey(stored.kid(), stored.generation(), jwk, stored.createdAt());
	}

	/** A private key swapped in from another row would sign receipts that nobody can verify. */
	private static void requirePair(ECKey jwk) {
		try {
			JWSObject probe = new JWSObject(new JWSHeader(ReceiptClaims.ALGORITHM), new Payload("key check"));
			probe.sign(new ECDSASigner(jwk));
			if (!probe.verify(new ECDSAVerifier(jwk.toPublicJWK()))) {
				throw new IllegalStateException(
						"Receipt signing key " + jwk.getKeyID() + ": the private key does not match the public key");
			}
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Receipt signing key " + jwk.getKeyID() + " cannot sign", ex);
		}
	}

	private ECKey readPublicKey(String kid) {
		return parsePublic(this.jdbc.sql("select public_jwk from receipt_signing_key where kid = ?")
			.param(kid)
			.query(String.class)
			.single());
	}

	private static ECKey parsePublic(String json) {
		try {
			return ECKey.parse(json).toPublicJWK();
		}
		catch (ParseException ex) {
			throw new IllegalStateException("A stored receipt public key is not an EC JWK", ex);
		}
	}

	private record StoredKey(String kid, int generation, String publicJwk, String privateKey, Instant createdAt) {
	}

	private static StoredKey map(ResultSet rs, int rowNum) throws SQLException {
		return new StoredKey(rs.getString("kid"), rs.getInt("generation"), rs.getString("public_jwk"),
				rs.getString("private_key"), rs.getTimestamp("created_at").toInstant());
	}

}
