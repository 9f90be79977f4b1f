package io.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;

/** The key store over a private H2 database, with several instances standing for nodes or restarts. */
class ReceiptKeysTest {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T09:00:00Z"));

	private DataSource dataSource;

	private JdbcClient jdbc;

	@BeforeEach
	void setUp() {
		this.dataSource = KeyStoreFixture
			.migrated("jdbc:h2:mem:receipt-keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
		this.jdbc = JdbcClient.create(this.dataSource);
	}

	@Test
	void shouldKeepTheSameKeyAcrossRestarts() {
		String kid = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock)
			.signingKey()
			.kid();

		ReceiptKeys restarted = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock);

		assertThat(restarted.signingKey().kid()).isEqualTo(kid);
		assertThat(KeyStoreFixture.activeKeys(this.dataSource)).isEqualTo(1);
	}

	@Test
	void shouldStoreThePrivateKeyInTheClearWithoutSecret() {
		KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock);

		assertThat(storedPrivateKey()).startsWith("v1:plain:");
	}

	@Test
	void shouldEncryptThePrivateKeyAtRestAndReadItBack() throws Exception {
		ReceiptKeys first = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(KeyStoreFixture.SECRET),
				this.clock);
		String stored = storedPrivateKey();

		ReceiptKeys restarted = KeyStoreFixture.started(this.dataSource,
				KeyStoreFixture.properties(KeyStoreFixture.SECRET), this.clock);

		assertThat(stored).matches("v1:aesgcm:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]+");
		assertThat(restarted.signingKey().kid()).isEqualTo(first.signingKey().kid());
		assertThat(restarted.signingKey().jwk().toECPrivateKey().getEncoded())
			.isEqualTo(first.signingKey().jwk().toECPrivateKey().getEncoded());
	}

	@Test
	void shouldRefuseToStartWithWrongSecret() {
		KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(KeyStoreFixture.SECRET), this.clock);
		String stored = storedPrivateKey();

		assertThatIllegalStateException()
			.isThrownBy(() -> KeyStoreFixture.started(this.dataSource,
					KeyStoreFixture.properties(KeyStoreFixture.OTHER_SECRET), this.clock))
			.withMessageContaining("does not decrypt with countersign.receipts.key-encryption-secret")
			.withMessageNotContaining(KeyStoreFixture.OTHER_SECRET);
		assertThat(storedPrivateKey()).as("never replaced by a new key").isEqualTo(stored);
		assertThat(keyCount()).isEqualTo(1);
	}

	@Test
	void shouldRefuseToStartWithoutSecretWhenTheKeyIsEncrypted() {
		KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(KeyStoreFixture.SECRET), this.clock);

		assertThatIllegalStateException()
			.isThrownBy(() -> KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock))
			.withMessageContaining("is stored encrypted")
			.withMessageContaining("(COUNTERSIGN_RECEIPT_KEY_SECRET) is not set");
		assertThat(keyCount()).isEqualTo(1);
	}

	@Test
	void shouldReplaceAKeyStoredInTheClearOnceASecretIsConfigured() {
		String plainKid = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock)
			.signingKey()
			.kid();

		ReceiptKeys withSecret = KeyStoreFixture.started(this.dataSource,
				KeyStoreFixture.properties(KeyStoreFixture.SECRET), this.clock);

		assertThat(withSecret.signingKey().kid()).isNotEqualTo(plainKid);
		assertThat(storedPrivateKey()).startsWith("v1:aesgcm:");
		assertThat(withSecret.verificationKey(plainKid)).as("still verifies what it signed").isPresent();
		assertThat(this.jdbc.sql("select private_key from receipt_signing_key where kid = ?")
			.param(plainKid)
			.query(String.class)
			.optional()).as("retired keys lose their private half").isEmpty();
	}

	@Test
	void shouldRotateWhenTheActiveKeyIsOlderThanTheRotationPeriod() {
		ReceiptKeys keys = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock);
		String old = keys.signingKey().kid();

		this.clock.advance(Duration.ofDays(30).minusSeconds(1));
		assertThat(keys.signingKey().kid()).isEqualTo(old);
		this.clock.advance(Duration.ofSeconds(1));
		String rotated = keys.signingKey().kid();

		assertThat(rotated).isNotEqualTo(old);
		assertThat(keys.publishedKeys()).extracting(ECKey::getKeyID).containsExactly(rotated, old);
		Instant publishUntil = this.jdbc.sql("select publish_until from receipt_signing_key where kid = ?")
			.param(old)
			.query(java.sql.Timestamp.class)
			.single()
			.toInstant();
		assertThat(publishUntil).isEqualTo(this.clock.instant().plus(Duration.ofDays(1)));
		this.clock.set(publishUntil);
		assertThat(keys.publishedKeys()).extracting(ECKey::getKeyID).containsExactly(rotated);
		assertThat(keys.verificationKey(old)).isEmpty();
	}

	@Test
	void shouldFollowARotationMadeByAnotherNode() {
		ReceiptKeys node1 = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock);
		ReceiptKeys node2 = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock);
		this.clock.advance(Duration.ofDays(31));

		String rotated = node1.signingKey().kid();

		assertThat(node2.signingKey().kid()).isEqualTo(rotated);
		assertThat(KeyStoreFixture.activeKeys(this.dataSource)).isEqualTo(1);
		assertThat(keyCount()).isEqualTo(2);
	}

	@Test
	void shouldCreateOneActiveKeyWhenNodesStartTogether() throws Exception {
		List<String> kids = KeyStoreFixture.startConcurrently(this.dataSource, 4, this.clock);

		assertThat(kids).hasSize(4).containsOnly(kids.get(0));
		assertThat(keyCount()).isEqualTo(1);
	}

	@Test
	void shouldNeverPublishPrivateKeyMaterial() {
		ReceiptKeys keys = KeyStoreFixture.started(this.dataSource, KeyStoreFixture.properties(""), this.clock);

		assertThat(keys.publishedKeys()).singleElement().satisfies(key -> {
			assertThat(key.isPrivate()).isFalse();
			assertThat(key.toJSONObject()).doesNotContainKey("d");
		});
		assertThat(this.jdbc.sql("select public_jwk from receipt_signing_key").query(String.class).single())
			.doesNotContain("\"d\"");
	}

	@Test
	void shouldRefuseShortKeyEncryptionSecret() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> KeyStoreFixture.properties("only-31-characters-long-secret!"))
			.withMessageContaining("COUNTERSIGN_RECEIPT_KEY_SECRET")
			.withMessageContaining("at least 32");
	}

	@Test
	void shouldSealWithAFreshIvEachTime() {
		KeyEncryption encryption = new KeyEncryption(KeyStoreFixture.SECRET);
		byte[] key = { 1, 2, 3, 4 };

		String first = encryption.seal(key);
		String second = encryption.seal(key);

		assertThat(first).isNotEqualTo(second);
		assertThat(encryption.open("k", first)).isEqualTo(key);
		assertThat(new KeyEncryption("").open("k", new KeyEncryption("").seal(key))).isEqualTo(key);
	}

	private String storedPrivateKey() {
		return this.jdbc.sql("select private_key from receipt_signing_key where retired_at is null")
			.query(String.class)
			.single();
	}

	private long keyCount() {
		return this.jdbc.sql("select count(*) from receipt_signing_key").query(Long.class).single();
	}

}
