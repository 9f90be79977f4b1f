package io.countersign.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import io.countersign.support.ProcessEngineTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ledger on H2 inside the application context. The context (and its database) is shared with other engine
 * tests, so every test starts from an empty ledger and leaves one.
 */
@ProcessEngineTest
class LedgerTest {

	@Autowired
	Ledger ledger;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PlatformTransactionManager transactionManager;

	TransactionTemplate transaction;

	final String responseId = UUID.randomUUID().toString();

	@BeforeEach
	void emptyLedger() {
		this.transaction = new TransactionTemplate(this.transactionManager);
		LedgerTestSupport.reset(this.jdbc);
	}

	/** Leaves no tampered chain behind for the next test class on the shared database. */
	@AfterEach
	void discardLedger() {
		LedgerTestSupport.reset(this.jdbc);
	}

	@Test
	void shouldLinkEachEntryToThePreviousOne() {
		this.ledger.append(this.responseId, "REQUESTED", "scanner", "found a token");
		this.ledger.append(this.responseId, "STAGED", null, "rotate", Map.of("fingerprint", "sha256:abc"));
		this.ledger.append(null, "SYSTEM_NOTE", null, null);

		List<LedgerEntry> entries = this.ledger.page(0, 10);

		assertThat(entries).extracting(LedgerEntry::seq).containsExactly(1L, 2L, 3L);
		assertThat(entries.get(0).prevHash()).isEqualTo(LedgerHashes.GENESIS);
		assertThat(entries.get(1).prevHash()).isEqualTo(entries.get(0).hash());
		assertThat(entries.get(2).prevHash()).isEqualTo(entries.get(1).hash());
		assertThat(entries).allSatisfy(entry -> assertThat(entry.recomputeHash()).isEqualTo(entry.hash()));
		assertThat(entries.get(1).data().path("fingerprint").asText()).isEqualTo("sha256:abc");
		assertThat(this.ledger.head()).contains(new LedgerVerification.Head(3, entries.get(2).hash()));
		assertThat(this.ledger.forResponse(this.responseId)).extracting(LedgerEntry::type)
			.containsExactly("REQUESTED", "STAGED");
	}

	@Test
	void shouldWriteATransactionsEntriesWhenItCommits() {
		List<LedgerEntry> seenInside = this.transaction.execute(status -> {
			this.ledger.append(this.responseId, "REQUESTED", "scanner", "first");
			this.ledger.append(this.responseId, "STAGED", null, "second");
			return this.ledger.forResponse(this.responseId);
		});

		assertThat(seenInside).isEmpty();
		assertThat(this.ledger.forResponse(this.responseId)).extracting(LedgerEntry::seq, LedgerEntry::type)
			.containsExactly(tuple(1L, "REQUESTED"),
					tuple(2L, "STAGED"));
	}

	@Test
	void shouldAppendNothingWhenTheTransactionRollsBack() {
		this.transaction.executeWithoutResult(status -> {
			this.ledger.append(this.responseId, "APPLIED", null, "rolled back with the step");
			status.setRollbackOnly();
		});

		assertThatThrownBy(() -> this.transaction.executeWithoutResult(status -> {
			this.ledger.append(this.responseId, "APPLIED", null, "rolled back by the exception");
			throw new IllegalStateException("the step failed");
		})).isInstanceOf(IllegalStateException.class);

		assertThat(this.ledger.forResponse(this.responseId)).isEmpty();
		assertThat(this.ledger.head()).contains(new LedgerVerification.Head(0, LedgerHashes.GENESIS));
	}

	@Test
	void shouldKeepIndependentEntriesWhenTheSurroundingTransactionRollsBack() {
		this.transaction.executeWithoutResult(status -> {
			this.ledger.append(this.responseId, "DECIDED", "bob", "undone with the command");
			this.ledger.appendIndependently(this.responseId, "REFUSED", "alice", "not a candidate",
					Map.of("rule", "candidate-group"));
			status.setRollbackOnly();
		});

		assertThat(this.ledger.forResponse(this.responseId)).singleElement().satisfies(entry -> {
			assertThat(entry.type()).isEqualTo("REFUSED");
			assertThat(entry.seq()).isEqualTo(1);
			assertThat(entry.data().path("rule").asText()).isEqualTo("candidate-group");
		});
		assertThat(this.ledger.verify().ok()).isTrue();
	}

	@Test
	void shouldBufferAnInnerTransactionsEntriesApartFromTheOuterOnes() {
		TransactionTemplate inner = new TransactionTemplate(this.transactionManager);
		inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

		this.transaction.executeWithoutResult(status -> {
			this.ledger.append(this.responseId, "OUTER", null, null);
			inner.executeWithoutResult(innerStatus -> this.ledger.append(this.responseId, "INNER", null, null));
			status.setRollbackOnly();
		});

		assertThat(this.ledger.forResponse(this.responseId)).extracting(LedgerEntry::type).containsExactly("INNER");
	}

	@Test
	void shouldVerifyACleanChain() {
		Map<String, Object> data = new HashMap<>();
		data.put("absent", null);
		data.put("amount", new BigDecimal("0.10000000000000000000001"));
		data.put("when", Instant.parse("2026-11-21T10:15:30.123456Z"));
		data.put("nested", Map.of("list", List.of(1, 2.5, "three")));
		this.ledger.append(this.responseId, "REQUESTED", "scanner", "with data", data);
		this.ledger.append(this.responseId, "STAGED", null, null);
		this.transaction.executeWithoutResult(status -> this.ledger.append(null, "NOTE", "ünïcödé", "…"));

		LedgerVerification verification = this.ledger.verify();

		assertThat(verification.ok()).isTrue();
		assertThat(verification.entries()).isEqualTo(3);
		assertThat(verification.firstBroken()).isNull();
		assertThat(verification.head().seq()).isEqualTo(3);
		assertThat(verification.head().hash()).isEqualTo(this.ledger.page(2, 1).get(0).hash());
	}

	@Test
	void shouldVerifyAnEmptyLedger() {
		assertThat(this.ledger.verify())
			.isEqualTo(new LedgerVerification(true, 0, new LedgerVerification.Head(0, LedgerHashes.GENESIS), null));
	}

	@Test
	void shouldVerifyAChainLongerThanOnePage() {
		this.transaction.executeWithoutResult(status -> {
			for (int i = 0; i < 2500; i++) {
				this.ledger.append(this.responseId, "TICK", null, "tick " + i);
			}
		});

		LedgerVerification verification = this.ledger.verify();

		assertThat(verification.ok()).isTrue();
		assertThat(verification.entries()).isEqualTo(2500);
	}

	@Test
	void shouldReportFirstTamperedEntry() {
		appendFive();
		this.jdbc.sql("update ledger_entry set detail = 'nothing to see' where seq = 3").update();

		LedgerVerification verification = this.ledger.verify();

		assertThat(verification.ok()).isFalse();
		assertThat(verification.entries()).isEqualTo(3);
		assertThat(verification.firstBroken().seq()).isEqualTo(3);
		assertThat(verification.firstBroken().reason()).isEqualTo(LedgerVerification.Reason.HASH_MISMATCH);
	}

	@Test
	void shouldReportPrevHashMismatchWhenATamperedEntryWasRehashed() {
		appendFive();
		LedgerEntry third = this.ledger.page(2, 1).get(0);
		String forged = LedgerHashes.hash(3, third.at(), third.responseId(), third.type(), third.actor(),
				"nothing to see", third.data(), third.prevHash());
		this.jdbc.sql("update ledger_entry set detail = 'nothing to see', hash = ? where seq = 3").param(forged).update();

		LedgerVerification.Broken broken = this.ledger.verify().firstBroken();

		assertThat(broken.seq()).isEqualTo(4);
		assertThat(broken.reason()).isEqualTo(LedgerVerification.Reason.PREV_HASH_MISMATCH);
	}

	@Test
	void shouldReportGapWhenAMiddleEntryIsDeleted() {
		appendFive();
		this.jdbc.sql("delete from ledger_entry where seq = 3").update();

		LedgerVerification verification = this.ledger.verify();

		assertThat(verification.ok()).isFalse();
		assertThat(verification.firstBroken().seq()).isEqualTo(3);
		assertThat(verification.firstBroken().reason()).isEqualTo(LedgerVerification.Reason.SEQ_GAP);
	}

	@Test
	void shouldReportHeadMismatchWhenTheLastEntryIsDeleted() {
		appendFive();
		this.jdbc.sql("delete from ledger_entry where seq = 5").update();

		LedgerVerification verification = this.ledger.verify();

		assertThat(verification.ok()).isFalse();
		assertThat(verification.entries()).isEqualTo(4);
		assertThat(verification.firstBroken().seq()).isEqualTo(5);
		assertThat(verification.firstBroken().reason()).isEqualTo(LedgerVerification.Reason.HEAD_MISMATCH);
	}

	@Test
	void shouldKeepOneContiguousChainWhenEightThreadsAppendConcurrently() throws Exception {
		LedgerTestSupport.appendConcurrently(8, 50,
				List.of(new LedgerTestSupport.Node(this.ledger, this.transactionManager)));

		List<LedgerEntry> entries = this.ledger.page(0, 1000);
		assertThat(entries).extracting(LedgerEntry::seq)
			.containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
		assertThat(this.ledger.verify()).satisfies(verification -> {
			assertThat(verification.ok()).as(String.valueOf(verification.firstBroken())).isTrue();
			assertThat(verification.entries()).isEqualTo(400);
		});
	}

	@Test
	void shouldRefuseTypesThatAreNotUpperSnakeCase() {
		for (String type : new String[] { null, "", "decided", "Decided", "DOUBLE__UNDERSCORE", "_LEADING",
				"TRAILING_", "WITH SPACE", "X".repeat(33) }) {
			assertThatThrownBy(() -> this.ledger.append(this.responseId, type, null, null)).as(type)
				.isInstanceOf(IllegalArgumentException.class);
		}
		this.ledger.append(this.responseId, "QUORUM_REACHED", null, null);
		this.ledger.append(this.responseId, "X".repeat(32), null, null);
		assertThat(this.ledger.forResponse(this.responseId)).hasSize(2);
	}

	@Test
	void shouldTruncateLongDetailAndReplaceOversizedData() {
		this.ledger.append(this.responseId, "NOTE", null, "d".repeat(5000), Map.of("blob", "b".repeat(30000)));

		LedgerEntry entry = this.ledger.forResponse(this.responseId).get(0);
		assertThat(entry.detail()).hasSize(Ledger.MAX_DETAIL_LENGTH).endsWith("…");
		assertThat(entry.data().path("omitted").asText()).contains("30011 characters");
		assertThat(this.ledger.verify().ok()).isTrue();
	}

	private void appendFive() {
		for (int i = 1; i <= 5; i++) {
			this.ledger.append(this.responseId, "STEP", "actor-" + i, "step " + i, Map.of("step", i));
		}
	}

}
