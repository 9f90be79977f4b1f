package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.context.TestPropertySource;

/**
 * An operator with SQL against the ledger: bob rejects a production rotation, a checkpoint is signed, and then the
 * ledger or the decision table is rewritten with SQL the way someone who knows the hash function would. Each
 * rewrite is caught by {@code /api/v1/audit/verify} against the earlier checkpoint and, for the ledger itself, by
 * the offline verifier over the export, the file sink and the published JWK set.
 */
@HttpIntegrationTest
@TestPropertySource(properties = { "countersign.ledger.checkpoints.max-interval=PT0.3S",
		"countersign.ledger.checkpoints.check-interval=PT0.1S",
		"countersign.ledger.checkpoints.directory=${java.io.tmpdir}/countersign-checkpoints-${random.uuid}",
		// Test data, not a real secret.
		"countersign.ledger.key-secret=test-only-ledger-key-secret-0123456789" })
class LedgerTamperingIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	LedgerProperties properties;

	@Autowired
	DataSource dataSource;

	@TempDir
	Path files;

	ApiClient api;

	String responseId;

	long decidedSeq;

	Checkpoint checkpoint;

	List<LedgerEntry> untampered;

	Map<Long, String> untamperedMacs;

	List<Map.Entry<Long, String>> untamperedDecisions;

	@BeforeEach
	void bobRejectsAndTheHeadIsCheckpointed() {
		this.api = new ApiClient(this.port);
		this.responseId = startRotation();
		JsonNode staged = this.api.awaitResponseStatus("scanner", this.responseId, "AWAITING_APPROVAL");
		Reply rejected = this.api.post("bob", "/api/v1/responses/" + this.responseId + "/decision",
				Map.of("decision", "REJECT", "reason", "not during the freeze", "fingerprint",
						staged.path("stagedAction").path("fingerprint").asText()));
		assertThat(rejected.status()).as(rejected.toString()).isIn(200, 204);
		this.api.awaitResponseStatus("scanner", this.responseId, "REJECTED");
		this.decidedSeq = entries("/api/v1/audit?response=" + this.responseId).stream()
			.filter(entry -> entry.path("type").asText().equals("DECIDED"))
			.findFirst()
			.orElseThrow()
			.path("seq")
			.asLong();
		// Settled: the head stops moving and a checkpoint names it.
		this.checkpoint = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(
				() -> {
					long head = this.jdbc.sql("select seq from ledger_head").query(Long.class).single();
					List<Checkpoint> signed = checkpoints();
					Checkpoint last = signed.isEmpty() ? null : signed.get(signed.size() - 1);
					return last != null && last.seq() == head && head > this.decidedSeq ? last : null;
				}, found -> found != null);
		JsonNode intact = verify(this.checkpoint);
		assertThat(intact.path("ok").asBoolean()).as(intact.toString()).isTrue();
		assertThat(intact.path("coverage").path("decisionRows").asLong()).isGreaterThanOrEqualTo(1);
		assertThat(intact.path("coverage").path("notCovered").asLong()).isZero();
		assertThat(offline()).startsWith("OK");
		snapshot();
	}

	/** What {@link #undoTheTampering()} puts back. */
	private void snapshot() {
		this.untampered = ledger().page(0, 100_000);
		this.untamperedMacs = this.jdbc.sql("select seq, mac from ledger_entry")
			.query((rs, n) -> Map.entry(rs.getLong("seq"), rs.getString("mac")))
			.list()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
		this.untamperedDecisions = this.jdbc.sql("select id, decision from approval_decision")
			.query((rs, n) -> Map.entry(rs.getLong("id"), rs.getString("decision")))
			.list();
	}

	/**
	 * Puts back what the test rewrote: the tests share one application and database, and a node refuses to sign
	 * checkpoints of a ledger that was cut back or rewritten.
	 */
	@AfterEach
	void undoTheTampering() {
		this.jdbc.sql("delete from ledger_entry").update();
		for (LedgerEntry entry : this.untampered) {
			this.jdbc.sql("""
					insert into ledger_entry (seq, at, response_id, type, actor, detail, data, prev_hash, hash, mac)
					values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
				.params(entry.seq(), OffsetDateTime.ofInstant(entry.at(), ZoneOffset.UTC), entry.responseId(),
						entry.type(), entry.actor(), entry.detail(),
						entry.data() == null ? null : CanonicalJson.write(entry.data()), entry.prevHash(), entry.hash(),
						this.untamperedMacs.get(entry.seq()))
				.update();
		}
		LedgerEntry last = this.untampered.get(this.untampered.size() - 1);
		this.jdbc.sql("update ledger_head set seq = ?, hash = ?").params(last.seq(), last.hash()).update();
		this.jdbc.sql("delete from ledger_checkpoint where seq > ?").param(last.seq()).update();
		this.jdbc.sql("delete from approval_decision where id > ?")
			.param(this.untamperedDecisions.stream().mapToLong(Map.Entry::getKey).max().orElse(0))
			.update();
		for (Map.Entry<Long, String> decision : this.untamperedDecisions) {
			this.jdbc.sql("update approval_decision set decision = ? where id = ?")
				.params(decision.getValue(), decision.getKey())
				.update();
		}
		assertThat(verify(null).path("ok").asBoolean()).as("restored").isTrue();
	}

	@Test
	void shouldVerifyAnUntamperedTwoPersonApprovalThroughToItsReceipt() {
		String approved = startRotation();
		String fingerprint = this.api.awaitResponseStatus("scanner", approved, "AWAITING_APPROVAL")
			.path("stagedAction")
			.path("fingerprint")
			.asText();
		Reply first = this.api.post("bob", "/api/v1/responses/" + approved + "/decision",
				Map.of("decision", "APPROVE", "reason", "rotate it", "fingerprint", fingerprint));
		assertThat(first.status()).as(first.toString()).isIn(200, 204);
		if (this.api.get("scanner", "/api/v1/responses/" + approved).json().path("approvals").get(0)
			.path("requiredApprovals").asInt() > 1) {
			Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> this.api
				.post("paul", "/api/v1/responses/" + approved + "/decision",
						Map.of("decision", "APPROVE", "reason", "rotate it too", "fingerprint", fingerprint))
				.status() == 200);
		}
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> entries("/api/v1/audit?response=" + approved)
			.stream()
			.anyMatch(entry -> entry.path("type").asText().equals("RECEIPT_ISSUED")));

		JsonNode verdict = verify(this.checkpoint);

		assertThat(verdict.path("ok").asBoolean()).as(verdict.toString()).isTrue();
		assertThat(verdict.path("coverage").path("decisionRows").asLong()).isGreaterThanOrEqualTo(2);
		assertThat(verdict.path("coverage").path("notCovered").asLong()).isZero();
		// Nothing was tampered with: what is there now is what the next test starts from.
		snapshot();
	}

	@Test
	void shouldDetectEntriesDeletedFromTheEndWithTheHeadMovedBack() {
		long cut = this.checkpoint.seq() - 2;
		this.jdbc.sql("delete from ledger_entry where seq > ?").param(cut).update();
		this.jdbc.sql("update ledger_head set seq = ?, hash = (select hash from ledger_entry where seq = ?)")
			.params(cut, cut)
			.update();
		assertThat(chainAlone().ok()).as("the chain alone still looks whole").isTrue();

		JsonNode verdict = verify(this.checkpoint);

		assertBroken(verdict, "CHECKPOINT_BEYOND_HEAD");
		assertBroken(verify(null), "CHECKPOINT_BEYOND_HEAD");
		assertThat(offline()).startsWith("TAMPERED").contains("entries were removed from the end");
	}

	@Test
	void shouldDetectARewrittenDecidedEntryWithTheChainRehashed() {
		long decisionId = this.jdbc.sql("select id from approval_decision where response_id = ?")
			.param(this.responseId)
			.query(Long.class)
			.single();
		// The tamperer turns bob's REJECT into an APPROVE in the table and in the ledger, and re-hashes everything.
		this.jdbc.sql("update approval_decision set decision = 'APPROVE' where id = ?").param(decisionId).update();
		String rowHash = this.jdbc
			.sql("select " + CoveredRows.DECISION_COLUMNS + " from approval_decision where id = ?")
			.param(decisionId)
			.query(CoveredRows::decisionRow)
			.single()
			.hash();
		Ledger ledger = this.ledger();
		List<LedgerEntry> tail = ledger.page(this.decidedSeq - 1, 5000);
		String prevHash = tail.get(0).prevHash();
		for (LedgerEntry entry : tail) {
			JsonNode data = entry.data();
			String detail = entry.detail();
			if (entry.seq() == this.decidedSeq) {
				ObjectNode forged = data.deepCopy();
				forged.put("decision", "APPROVE");
				forged.put(CoveredRows.DECISION_HASH, rowHash);
				data = LedgerHashes.parseData(CanonicalJson.write(forged));
				detail = detail.replace("REJECT", "APPROVE");
			}
			String hash = LedgerHashes.hash(entry.seq(), entry.at(), entry.responseId(), entry.type(), entry.actor(),
					detail, data, prevHash);
			this.jdbc.sql("update ledger_entry set detail = ?, data = ?, prev_hash = ?, hash = ? where seq = ?")
				.params(detail, data == null ? null : CanonicalJson.write(data), prevHash, hash, entry.seq())
				.update();
			prevHash = hash;
		}
		this.jdbc.sql("update ledger_head set hash = ?").param(prevHash).update();
		assertThat(chainAlone().ok()).as("the chain alone still looks whole").isTrue();

		JsonNode verdict = verify(this.checkpoint);

		assertBroken(verdict, "CHECKPOINT_MISMATCH");
		// The first signed checkpoint after the rewritten entry; on a busy machine one may have been signed before the
		// head settled at the one the test took.
		long firstCheckpointAfter = checkpoints().stream()
			.mapToLong(Checkpoint::seq)
			.filter(seq -> seq >= this.decidedSeq)
			.min()
			.orElseThrow();
		assertThat(verdict.path("firstBroken").path("seq").asLong()).isEqualTo(firstCheckpointAfter);
		assertThat(offline()).startsWith("TAMPERED").contains("were rewritten");
	}

	@Test
	void shouldDetectARejectTurnedIntoAnApproveInTheDecisionTable() {
		this.jdbc.sql("update approval_decision set decision = 'APPROVE' where response_id = ?")
			.param(this.responseId)
			.update();

		JsonNode verdict = verify(this.checkpoint);

		assertBroken(verdict, "DECISION_ALTERED");
		assertThat(verdict.path("firstBroken").path("seq").asLong()).isEqualTo(this.decidedSeq);
		assertBroken(verify(null), "DECISION_ALTERED");
	}

	@Test
	void shouldDetectADecisionRowInsertedBehindTheGatesBack() {
		this.jdbc.sql("""
				insert into approval_decision (approval_request_id, response_id, task_id, approver, decision, reason,
				    action_fingerprint, decided_at)
				select approval_request_id, response_id, task_id, 'carol', 'APPROVE', 'ok', action_fingerprint,
				    decided_at from approval_decision where response_id = ?""")
			.param(this.responseId)
			.update();

		assertBroken(verify(this.checkpoint), "DECISION_UNRECORDED");
	}

	@Test
	void shouldDetectAnApprovalInsertedWithAWellFormedEntryAppendedAfterTheCheckpoint() {
		// The tamperer adds carol's APPROVE to the table and a DECIDED entry for it that chains and claims the row.
		this.jdbc.sql("""
				insert into approval_decision (approval_request_id, response_id, task_id, approver, decision, reason,
				    action_fingerprint, decided_at)
				select approval_request_id, response_id, task_id, 'carol', 'APPROVE', 'ok', action_fingerprint,
				    decided_at from approval_decision where response_id = ?""")
			.param(this.responseId)
			.update();
		CoveredRows.Row row = this.jdbc
			.sql("select " + CoveredRows.DECISION_COLUMNS + " from approval_decision where approver = 'carol' "
					+ "and response_id = ?")
			.param(this.responseId)
			.query(CoveredRows::decisionRow)
			.single();
		LedgerVerification.Head head = ledger().head().orElseThrow();
		LedgerEntry decided = ledger().page(this.decidedSeq - 1, 1).get(0);
		ObjectNode data = decided.data().deepCopy();
		data.put("decision", "APPROVE").put(CoveredRows.DECISION_ID, row.id()).put(CoveredRows.DECISION_HASH, row.hash());
		String dataText = CanonicalJson.write(data);
		Instant at = LedgerHashes.truncate(Instant.now());
		long seq = head.seq() + 1;
		String hash = LedgerHashes.hash(seq, at, this.responseId, "DECIDED", "carol", "APPROVE: ok",
				LedgerHashes.parseData(dataText), head.hash());
		this.jdbc.sql("""
				insert into ledger_entry (seq, at, response_id, type, actor, detail, data, prev_hash, hash)
				values (?, ?, ?, 'DECIDED', 'carol', 'APPROVE: ok', ?, ?, ?)""")
			.params(seq, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), this.responseId, dataText, head.hash(), hash)
			.update();
		this.jdbc.sql("update ledger_head set seq = ?, hash = ?").params(seq, hash).update();
		assertThat(chainAlone().ok()).as("the chain alone still looks whole").isTrue();

		JsonNode verdict = verify(this.checkpoint);

		assertBroken(verdict, "MAC_MISMATCH");
		assertThat(verdict.path("firstBroken").path("seq").asLong()).isEqualTo(seq);
		// Nor does any node vouch for the forged entry with a checkpoint.
		Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
		assertThat(checkpoints()).extracting(Checkpoint::seq).doesNotContain(seq);
	}

	@Test
	void shouldAnswerAForgedOrForeignCheckpointWithAProblem() {
		String forged = this.checkpoint.jws().substring(0, this.checkpoint.jws().lastIndexOf('.') + 1) + "AAAA";
		String foreign = new Checkpoints(this.jdbc, CheckpointKey.of("another-installations-secret-0123456789"),
				this.properties, Clock.systemUTC())
			.sign(this.checkpoint.seq(), this.checkpoint.headHash(), this.checkpoint.at())
			.jws();

		for (String bad : List.of(forged, foreign, "not-a-jws", " ")) {
			Reply reply = this.api.get("audrey", "/api/v1/audit/verify?checkpoint=" + encode(bad));
			assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
			assertThat(reply.contentType()).startsWith("application/problem+json");
		}
		assertThat(this.api.get("bob", "/api/v1/audit/checkpoints").status()).isEqualTo(403);
		assertThat(this.api.get("admin", "/api/v1/audit/checkpoints").status()).isEqualTo(200);
		assertThat(this.api.get("audrey", "/api/v1/audit/checkpoints?limit=0").status()).isEqualTo(400);
		JsonNode jwks = this.api.get(null, "/.well-known/jwks.json").json();
		assertThat(jwks.path("keys").findValuesAsText("kid")).contains(this.checkpoint.kid());
	}

	private String startRotation() {
		String identity = "svc-ledger-" + UUID.randomUUID();
		String credential = "token-ledger-" + UUID.randomUUID();
		Reply upsert = this.api.put("scanner", "/api/v1/identities/" + identity,
				Map.of("owner", "team-ledger", "environment", "production", "credentials", List.of(Map.of("id",
						credential, "kind", "ACCESS_TOKEN", "fingerprint", StagedAction.sha256("v1")))));
		assertThat(upsert.status()).as(upsert.toString()).isEqualTo(200);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("playbook", "secret-rotation");
		body.put("identity", identity);
		body.put("credential", credential);
		body.put("summary", "Token found in public repo");
		body.put("source", "github-secret-scanning");
		body.put("severity", "high");
		body.put("environment", "production");
		Reply started = this.api.post("scanner", "/api/v1/responses", body);
		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		return started.json().path("id").asText();
	}

	private JsonNode verify(Checkpoint against) {
		Reply reply = this.api.get("audrey",
				"/api/v1/audit/verify" + (against == null ? "" : "?checkpoint=" + encode(against.jws())));
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return reply.json();
	}

	private LedgerVerification chainAlone() {
		return ledger().verify();
	}

	private Ledger ledger() {
		return new Ledger(this.jdbc, new DataSourceTransactionManager(this.dataSource));
	}

	private List<Checkpoint> checkpoints() {
		Reply reply = this.api.get("audrey", "/api/v1/audit/checkpoints?limit=1000");
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		try {
			return Arrays.asList(LedgerHashes.JSON.readValue(reply.body(), Checkpoint[].class));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The offline verifier over what an auditor keeps: the export, the sink's file and the JWK set. */
	private String offline() {
		try {
			Path export = this.files.resolve("ledger-" + UUID.randomUUID() + ".ndjson");
			Files.writeString(export, this.api.get("audrey", "/api/v1/audit?after=0&limit=5000").body());
			Path jwks = this.files.resolve("jwks.json");
			Files.writeString(jwks, this.api.get(null, "/.well-known/jwks.json").body());
			Path sink = this.properties.checkpoints().directory().resolve(CheckpointFileSink.FILE_NAME);
			ByteArrayOutputStream printed = new ByteArrayOutputStream();
			int exit = VerifyLedger.run(new String[] { "--export", export.toString(), "--checkpoint", sink.toString(),
					"--jwks", jwks.toString() }, new PrintStream(printed, true, StandardCharsets.UTF_8));
			String output = printed.toString(StandardCharsets.UTF_8);
			assertThat(exit).as(output).isEqualTo(output.startsWith("OK") ? 0 : 1);
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private List<JsonNode> entries(String path) {
		Reply reply = this.api.get("audrey", path);
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		return Arrays.stream(reply.body().split("\n")).filter(line -> !line.isBlank()).map(line -> {
			try {
				return LedgerHashes.JSON.readTree(line);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).toList();
	}

	private static void assertBroken(JsonNode verdict, String reason) {
		assertThat(verdict.path("ok").asBoolean()).as(verdict.toString()).isFalse();
		assertThat(verdict.path("firstBroken").path("reason").asText()).as(verdict.toString()).isEqualTo(reason);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
