package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Signing, reading and refusing checkpoints, and the file they are appended to, on a private H2 database. */
class CheckpointsTest {

	static final String SECRET = "test-only-ledger-key-secret-0123456789";

	@TempDir
	Path directory;

	final DataSource dataSource = new DriverManagerDataSource(
			"jdbc:h2:mem:checkpoints-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	Ledger ledger;

	JdbcClient jdbc;

	Checkpoints checkpoints;

	@BeforeEach
	void setUp() {
		LedgerTestSupport.migrate(this.dataSource, null);
		this.ledger = new Ledger(JdbcClient.create(this.dataSource), new DataSourceTransactionManager(this.dataSource),
				CheckpointKey.of(SECRET));
		this.jdbc = JdbcClient.create(this.dataSource);
		this.checkpoints = checkpoints(SECRET, 3, Clock.systemUTC());
	}

	@Test
	void shouldDeriveTheSameKeyFromTheSameSecretAndAnotherFromAnother() {
		CheckpointKey key = CheckpointKey.of(SECRET);

		assertThat(CheckpointKey.of(SECRET).publicJwk()).isEqualTo(key.publicJwk());
		assertThat(CheckpointKey.of(SECRET + "x").kid()).isNotEqualTo(key.kid());
		assertThat(key.kid()).startsWith(CheckpointKey.KID_PREFIX).hasSizeLessThanOrEqualTo(64);
		assertThat(key.publicJwk().isPrivate()).isFalse();
		assertThat(key.publicJwk().getKeyUse().identifier()).isEqualTo("sig");
		assertThatIllegalArgumentException().isThrownBy(() -> CheckpointKey.of("too-short"));
	}

	@Test
	void shouldSignACheckpointThatParsesBackAndRefuseItUnderAnotherKey() {
		Checkpoint signed = this.checkpoints.sign(7, "sha256:" + "a".repeat(64), Instant.parse("2026-11-30T12:00:00Z"));

		Checkpoint parsed = this.checkpoints.parse(signed.jws());

		assertThat(parsed.seq()).isEqualTo(7);
		assertThat(parsed.headHash()).isEqualTo("sha256:" + "a".repeat(64));
		assertThat(parsed.at()).isEqualTo(Instant.parse("2026-11-30T12:00:00Z"));
		assertThat(parsed.kid()).isEqualTo(CheckpointKey.of(SECRET).kid());
		Checkpoints other = checkpoints(SECRET + "-other", 3, Clock.systemUTC());
		assertThatThrownBy(() -> other.parse(signed.jws())).isInstanceOf(Checkpoints.InvalidCheckpointException.class)
			.hasMessageContaining("not by this installation's checkpoint key");
	}

	@Test
	void shouldRefuseACheckpointWhosePayloadWasEdited() throws Exception {
		Checkpoint signed = this.checkpoints.sign(7, "sha256:" + "a".repeat(64), Instant.now());
		String[] parts = signed.jws().split("\\.");
		String forged = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
				.replace("\"seq\":7", "\"seq\":3")
				.getBytes(StandardCharsets.UTF_8));

		assertThatThrownBy(() -> this.checkpoints.parse(parts[0] + "." + forged + "." + parts[2]))
			.isInstanceOf(Checkpoints.InvalidCheckpointException.class)
			.hasMessageContaining("signature does not verify");
		assertThatThrownBy(() -> this.checkpoints.parse("not-a-jws"))
			.isInstanceOf(Checkpoints.InvalidCheckpointException.class);
		assertThat(JWSObject.parse(signed.jws()).getHeader().getType()).isEqualTo(Checkpoints.TYPE);
	}

	@Test
	void shouldCheckpointTheHeadOnceGrownEnoughAndAppendItToTheFile() throws IOException {
		append(2);
		assertThat(this.checkpoints.checkpointIfDue()).as("the first checkpoint comes at once").isPresent();
		append(1);
		assertThat(this.checkpoints.checkpointIfDue()).as("grown by 1 of 3, and not a minute old").isEmpty();
		append(2);

		Checkpoint second = this.checkpoints.checkpointIfDue().orElseThrow();

		assertThat(second.seq()).isEqualTo(5);
		assertThat(second.headHash()).isEqualTo(this.ledger.head().orElseThrow().hash());
		assertThat(this.checkpoints.checkpointIfDue()).as("nothing new to sign").isEmpty();
		List<String> lines = Files.readAllLines(this.directory.resolve(CheckpointFileSink.FILE_NAME));
		assertThat(lines).hasSize(2);
		JsonNode line = LedgerHashes.JSON.readTree(lines.get(1));
		assertThat(line.path("seq").asLong()).isEqualTo(5);
		assertThat(this.checkpoints.parse(line.path("jws").asText())).isEqualTo(second);
		assertThat(this.checkpoints.page(0, 10)).extracting(Checkpoint::seq).containsExactly(2L, 5L);
	}

	@Test
	void shouldCheckpointAGrownLedgerAfterTheMaximumIntervalEvenBelowTheEntryCount() {
		Instant start = Instant.parse("2026-11-30T12:00:00Z");
		append(1);
		checkpoints(SECRET, 1000, Clock.fixed(start, ZoneOffset.UTC)).checkpointIfDue().orElseThrow();
		append(1);

		assertThat(checkpoints(SECRET, 1000, Clock.fixed(start.plusSeconds(30), ZoneOffset.UTC)).checkpointIfDue())
			.isEmpty();
		assertThat(checkpoints(SECRET, 1000, Clock.fixed(start.plus(Duration.ofMinutes(1)), ZoneOffset.UTC))
			.checkpointIfDue()).isPresent();
	}

	@Test
	void shouldRefuseToSignAfterTheCheckpointedEntriesWereRewritten() {
		append(3);
		Checkpoint first = this.checkpoints.checkpointIfDue().orElseThrow();
		this.jdbc.sql("update ledger_entry set hash = ? where seq = ?").params("sha256:" + "b".repeat(64), first.seq())
			.update();
		append(3);

		assertThat(this.checkpoints.checkpointIfDue()).isEmpty();
		assertThat(this.checkpoints.latest()).contains(first);
	}

	@Test
	void shouldNeverVouchForAnEntryWithoutAValidMac() {
		append(3);
		this.checkpoints.checkpointIfDue().orElseThrow();
		// Someone who can write SQL but lacks the secret appends entries that chain correctly.
		LedgerTestSupport.ledger(this.dataSource).append(null, "SYSTEM_NOTE", null, "appended with SQL");
		append(2);

		assertThat(this.checkpoints.checkpointIfDue()).isEmpty();
		assertThat(this.checkpoints.latest().orElseThrow().seq()).isEqualTo(3);
	}

	@Test
	void shouldNotSignTheSameHeadTwiceFromAnyNode() throws IOException {
		append(3);
		Checkpoints otherNode = checkpoints(SECRET, 3, Clock.systemUTC());

		assertThat(this.checkpoints.checkpointIfDue()).isPresent();
		assertThat(otherNode.checkpointIfDue()).as("same head, already signed").isEmpty();
		assertThat(Files.readAllLines(this.directory.resolve(CheckpointFileSink.FILE_NAME))).hasSize(1);
	}

	private Checkpoints checkpoints(String secret, int everyEntries, Clock clock) {
		LedgerProperties properties = new LedgerProperties(secret, this.directory.resolve("secret"),
				new LedgerProperties.Checkpoints(everyEntries, Duration.ofMinutes(1), Duration.ofSeconds(5),
						this.directory));
		return new Checkpoints(JdbcClient.create(this.dataSource), CheckpointKey.of(secret), properties, clock);
	}

	private void append(int count) {
		for (int i = 0; i < count; i++) {
			this.ledger.append(null, "SYSTEM_NOTE", null, "note " + i);
		}
	}

}
