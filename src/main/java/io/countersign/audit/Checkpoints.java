package io.countersign.audit;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.countersign.action.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Signs a checkpoint of the ledger's head once it has grown by {@code every-entries}, or at least every
 * {@code max-interval} while it grows, stores it and writes it to the file sink. Before signing it checks that the
 * last checkpoint's entry still has its hash: a node never vouches for a chain that was cut back or rewritten.
 */
@Component
class Checkpoints implements SchedulingConfigurer {

	static final JOSEObjectType TYPE = new JOSEObjectType("countersign-ledger-checkpoint");

	private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

	private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");

	private static final String COLUMNS = "seq, head_hash, at, kid, jws";

	private final JdbcClient jdbc;

	private final CheckpointKey key;

	private final LedgerProperties.Checkpoints settings;

	private final CheckpointFileSink sink;

	private final Clock clock;

	Checkpoints(JdbcClient jdbc, CheckpointKey key, LedgerProperties properties, Clock clock) {
		this.jdbc = jdbc;
		this.key = key;
		this.settings = properties.checkpoints();
		this.sink = new CheckpointFileSink(this.settings.directory());
		this.clock = clock;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		registrar.addFixedDelayTask(new FixedDelayTask(this::checkpointIfDueLogged, this.settings.checkInterval(),
				this.settings.checkInterval()));
	}

	private void checkpointIfDueLogged() {
		try {
			checkpointIfDue();
		}
		catch (RuntimeException ex) {
			log.error("Ledger checkpoint failed; retrying in {}", this.settings.checkInterval(), ex);
		}
	}

	/** Signs the current head when a checkpoint is due; empty when none is, or another node signed it first. */
	synchronized Optional<Checkpoint> checkpointIfDue() {
		Optional<LedgerVerification.Head> found = this.jdbc.sql("select seq, hash from ledger_head where id = 1")
			.query((rs, n) -> new LedgerVerification.Head(rs.getLong("seq"), rs.getString("hash")))
			.optional();
		if (found.isEmpty() || found.get().seq() == 0) {
			return Optional.empty();
		}
		LedgerVerification.Head head = found.get();
		Optional<Checkpoint> last = latest();
		Instant now = LedgerHashes.truncate(this.clock.instant());
		if (last.isPresent()) {
			Checkpoint previous = last.get();
			if (head.seq() < previous.seq()) {
				log.error("The ledger head is at {} but checkpoint {} was signed: entries were removed. No new "
						+ "checkpoint is signed until this is investigated.", head.seq(), previous.seq());
				return Optional.empty();
			}
			boolean grownEnough = head.seq() - previous.seq() >= this.settings.everyEntries();
			boolean grownAndOld = head.seq() > previous.seq()
					&& !now.isBefore(previous.at().plus(this.settings.maxInterval()));
			if (!grownEnough && !grownAndOld) {
				return Optional.empty();
			}
			if (!previous.headHash().equals(entryHash(previous.seq()).orElse(null))) {
				log.error("Ledger entry {} no longer has the hash checkpointed at {}: the chain was rewritten. No new "
						+ "checkpoint is signed until this is investigated.", previous.seq(), previous.at());
				return Optional.empty();
			}
		}
		long unsealed = firstUnsealed(last.map(Checkpoint::seq).orElse(-1L), head.seq());
		if (unsealed > 0) {
			log.error("Ledger entry {} carries no valid MAC: it was appended or rewritten with SQL. No new checkpoint "
					+ "is signed until this is investigated.", unsealed);
			return Optional.empty();
		}
		if (!head.hash().equals(entryHash(head.seq()).orElse(null))) {
			log.error("The ledger head names entry {} with a hash that entry does not have; not signing it",
					head.seq());
			return Optional.empty();
		}
		Checkpoint checkpoint = sign(head.seq(), head.hash(), now);
		try {
			this.jdbc.sql("insert into ledger_checkpoint (" + COLUMNS + ") values (?, ?, ?, ?, ?)")
				.params(checkpoint.seq(), checkpoint.headHash(), OffsetDateTime.ofInstant(now, ZoneOffset.UTC),
						checkpoint.kid(), checkpoint.jws())
				.update();
		}
		catch (DuplicateKeyException ex) {
			return Optional.empty();
		}
		try {
			this.sink.append(checkpoint);
		}
		catch (IOException ex) {
			// Stored and signed, but not yet outside the database: say so loudly; the next one tries again.
			log.error("Ledger checkpoint {} could not be written to {}", checkpoint.seq(), this.sink.file(), ex);
		}
		return Optional.of(checkpoint);
	}

	Checkpoint sign(long seq, String headHash, Instant at) {
		ObjectNode payload = LedgerHashes.JSON.createObjectNode()
			.put("seq", seq)
			.put("headHash", headHash)
			.put("at", LedgerHashes.format(at));
		JWSObject jws = new JWSObject(
				new JWSHeader.Builder(CheckpointKey.ALGORITHM).keyID(this.key.kid()).type(TYPE).build(),
				new Payload(CanonicalJson.write(payload)));
		try {
			jws.sign(this.key.signer());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot sign a ledger checkpoint", ex);
		}
		return new Checkpoint(seq, headHash, at, this.key.kid(), jws.serialize());
	}

	/**
	 * Checks a compact JWS against this installation's checkpoint key and reads its claims.
	 * @throws InvalidCheckpointException naming what is wrong, for a 400
	 */
	Checkpoint parse(String compact) {
		return parse(compact, this.key);
	}

	static Checkpoint parse(String compact, CheckpointKey key) {
		JWSObject jws;
		try {
			jws = JWSObject.parse(compact.strip());
		}
		catch (ParseException ex) {
			throw new InvalidCheckpointException("checkpoint is not a compact JWS");
		}
		JWSHeader header = jws.getHeader();
		if (!CheckpointKey.ALGORITHM.equals(header.getAlgorithm()) || !TYPE.equals(header.getType())) {
			throw new InvalidCheckpointException("checkpoint must be an ES256 JWS of type " + TYPE);
		}
		if (!key.kid().equals(header.getKeyID())) {
			throw new InvalidCheckpointException("checkpoint is signed by key " + header.getKeyID()
					+ ", not by this installation's checkpoint key " + key.kid());
		}
		try {
			if (!jws.verify(new ECDSAVerifier(key.publicKey()))) {
				throw new InvalidCheckpointException("checkpoint signature does not verify");
			}
		}
		catch (JOSEException ex) {
			throw new InvalidCheckpointException("checkpoint signature cannot be verified");
		}
		Map<String, Object> claims = jws.getPayload().toJSONObject();
		if (claims == null || !(claims.get("seq") instanceof Number seq) || !(claims.get("headHash") instanceof String hash)
				|| !(claims.get("at") instanceof String at) || !HASH.matcher(hash).matches() || seq.longValue() < 1) {
			throw new InvalidCheckpointException("checkpoint payload must hold seq, headHash and at");
		}
		Instant instant;
		try {
			instant = Instant.parse(at);
		}
		catch (RuntimeException ex) {
			throw new InvalidCheckpointException("checkpoint at is not an ISO-8601 instant");
		}
		return new Checkpoint(seq.longValue(), hash, instant, key.kid(), jws.serialize());
	}

	/** Up to {@code limit} stored checkpoints with a seq greater than {@code afterSeq}, oldest first. */
	List<Checkpoint> page(long afterSeq, int limit) {
		return this.jdbc.sql("select " + COLUMNS + " from ledger_checkpoint where seq > ? order by seq limit ?")
			.params(afterSeq, limit)
			.query(Checkpoints::map)
			.list();
	}

	Optional<Checkpoint> latest() {
		return this.jdbc.sql("select " + COLUMNS + " from ledger_checkpoint order by seq desc limit 1")
			.query(Checkpoints::map)
			.optional();
	}

	CheckpointKey key() {
		return this.key;
	}

	/**
	 * The first entry after {@code afterSeq} (after the start of row coverage when there is no checkpoint yet) whose
	 * MAC does not match its hash, or 0: a checkpoint must never vouch for an entry someone appended with SQL.
	 */
	private long firstUnsealed(long afterSeq, long toSeq) {
		long from = afterSeq >= 0 ? afterSeq : this.jdbc
			.sql("select coalesce(min(seq), 1) - 1 from ledger_entry where type = ?")
			.param(LedgerVerifier.COVERAGE_STARTED)
			.query(Long.class)
			.single();
		return this.jdbc.sql("select seq, hash, mac from ledger_entry where seq > ? and seq <= ? order by seq")
			.params(from, toSeq)
			.query((rs, n) -> this.key.mac(rs.getString("hash")).equals(rs.getString("mac")) ? 0L : rs.getLong("seq"))
			.list()
			.stream()
			.filter(seq -> seq > 0)
			.findFirst()
			.orElse(0L);
	}

	private Optional<String> entryHash(long seq) {
		return this.jdbc.sql("select hash from ledger_entry where seq = ?").param(seq).query(String.class).optional();
	}

	private static Checkpoint map(ResultSet rs, int rowNum) throws SQLException {
		return new Checkpoint(rs.getLong("seq"), rs.getString("head_hash"),
				rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("kid"), rs.getString("jws"));
	}

	/** A checkpoint a caller handed in that is not one of ours. */
	static final class InvalidCheckpointException extends RuntimeException {

		InvalidCheckpointException(String message) {
			super(message);
		}

	}

}
