package io.countersign.gate;

/**
 * Names of the approval card's form facts. Each is Markdown built on the server with every integrator's value escaped
 * or in a code span, so a form's text view may template it ({@code {{cardSummary}}}); a text view never templates any
 * other variable. Empty facts are null, which the forms hide.
 */
public final class CardFacts {

	/** What happens to what, one sentence. */
	public static final String SUMMARY = "cardSummary";

	/** Environment, severity, customer-facing consumers, privilege level. */
	public static final String RISK = "cardRisk";

	/** When it expires (as of the form's loading), approvals so far, escalation. */
	public static final String DEADLINE = "cardDeadline";

	public static final String CONTAINMENT = "cardContainment";

	public static final String BLAST_RADIUS = "cardBlastRadius";

	/** The blast radius's other stored facts, for the details. */
	public static final String BLAST_RADIUS_FACTS = "cardBlastRadiusFacts";

	public static final String ROLLBACK = "cardRollback";

	public static final String DETECTION = "cardDetection";

	public static final String EVIDENCE = "cardEvidence";

	public static final String STAGED_ACTION = "cardStagedAction";

	public static final String FINGERPRINT = "cardFingerprint";

	public static final String POLICY = "cardPolicy";

	public static final String APPROVALS = "cardApprovals";

	private CardFacts() {
	}

}
