package io.countersign.audit;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the approval tables a page at a time and compares each row with the hash its latest entry recorded. Rows
 * that no entry records are a break, unless they predate row coverage: decision rows up to the id the
 * ROW_COVERAGE_STARTED entry names, request rows created before it.
 */
final class RowCheck {

	static final Set<LedgerVerification.Reason> REASONS = Set.of(LedgerVerification.Reason.DECISION_ALTERED,
			LedgerVerification.Reason.DECISION_UNRECORDED, LedgerVerification.Reason.DECISION_MISSING,
			LedgerVerification.Reason.REQUEST_ALTERED, LedgerVerification.Reason.REQUEST_UNRECORDED,
			LedgerVerification.Reason.REQUEST_MISSING);

	private static final int PAGE = 1000;

	private final JdbcClient jdbc;

	private final LedgerVerifier.Claims claims;

	private long decisionRows;

	private long requestRows;

	private long notCovered;

	RowCheck(JdbcClient jdbc, LedgerVerifier.Claims claims) {
		this.jdbc = jdbc;
		this.claims = claims;
	}

	LedgerVerification.Coverage coverage() {
		return new LedgerVerification.Coverage(this.decisionRows, this.requestRows, this.notCovered);
	}

	/** The first row that breaks, or null. Consumes the claims it matches. */
	LedgerVerification.Broken run() {
		LedgerVerification.Broken broken = decisions();
		return broken != null ? broken : requests();
	}

	private LedgerVerification.Broken decisions() {
		long after = Long.MIN_VALUE;
		long upTo = this.claims.decisionsUpTo == null ? Long.MIN_VALUE : this.claims.decisionsUpTo;
		while (true) {
			List<CoveredRows.Row> rows = this.jdbc
				.sql("select " + CoveredRows.DECISION_COLUMNS + " from approval_decision where id > ? order by id limit ?")
				.params(after, PAGE)
				.query(CoveredRows::decisionRow)
				.list();
			for (CoveredRows.Row row : rows) {
				this.decisionRows++;
				after = row.id();
				LedgerVerifier.Claim claim = this.claims.decisions.remove(row.id());
				if (claim == null) {
					if (row.id() <= upTo) {
						this.notCovered++;
						continue;
					}
					return new LedgerVerification.Broken(0, LedgerVerification.Reason.DECISION_UNRECORDED,
							"approval_decision row " + row.id() + " is recorded by no ledger entry");
				}
				if (!claim.hash().equals(row.hash())) {
					return new LedgerVerification.Broken(claim.seq(), LedgerVerification.Reason.DECISION_ALTERED,
							"approval_decision row " + row.id() + " no longer has the hash " + claim.hash()
									+ " that entry " + claim.seq() + " recorded: the row was edited");
				}
			}
			if (rows.size() < PAGE) {
				break;
			}
		}
		return this.claims.decisions.entrySet()
			.stream()
			.min(Map.Entry.comparingByKey())
			.map(gone -> new LedgerVerification.Broken(gone.getValue().seq(),
					LedgerVerification.Reason.DECISION_MISSING, "approval_decision row " + gone.getKey()
							+ " recorded by entry " + gone.getValue().seq() + " is gone"))
			.orElse(null);
	}

	private LedgerVerification.Broken requests() {
		String after = "";
		while (true) {
			List<CoveredRows.Row> rows = this.jdbc
				.sql("select " + CoveredRows.REQUEST_COLUMNS + " from approval_request where id > ? order by id limit ?")
				.params(after, PAGE)
				.query(CoveredRows::requestRow)
				.list();
			for (CoveredRows.Row row : rows) {
				this.requestRows++;
				after = row.key();
				LedgerVerifier.Claim claim = this.claims.requests.remove(row.key());
				if (claim == null) {
					if (this.claims.coverageStartedAt != null && row.createdAt() != null
							&& row.createdAt().isBefore(this.claims.coverageStartedAt)) {
						this.notCovered++;
						continue;
					}
					return new LedgerVerification.Broken(0, LedgerVerification.Reason.REQUEST_UNRECORDED,
							"approval_request row " + row.key() + " is recorded by no ledger entry");
				}
				if (!claim.hash().equals(row.hash())) {
					return new LedgerVerification.Broken(claim.seq(), LedgerVerification.Reason.REQUEST_ALTERED,
							"approval_request row " + row.key() + " no longer has the hash " + claim.hash()
									+ " that entry " + claim.seq() + " recorded: the row was edited");
				}
			}
			if (rows.size() < PAGE) {
				break;
			}
		}
		return this.claims.requests.entrySet()
			.stream()
			.min(Map.Entry.comparingByValue((a, b) -> Long.compare(a.seq(), b.seq())))
			.map(gone -> new LedgerVerification.Broken(gone.getValue().seq(),
					LedgerVerification.Reason.REQUEST_MISSING, "approval_request row " + gone.getKey()
							+ " recorded by entry " + gone.getValue().seq() + " is gone"))
			.orElse(null);
	}

}
