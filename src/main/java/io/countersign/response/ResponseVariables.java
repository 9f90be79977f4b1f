package io.countersign.response;

/** Names of the process variables every playbook shares. Values are strings, numbers, booleans or JSON text. */
public final class ResponseVariables {

	public static final String RESPONSE_ID = "responseId";

	public static final String PLAYBOOK = "playbook";

	public static final String IDENTITY = "identity";

	public static final String CREDENTIAL = "credential";

	public static final String SUMMARY = "summary";

	public static final String SOURCE = "source";

	public static final String SEVERITY = "severity";

	public static final String ENVIRONMENT = "environment";

	/** Evidence as pretty-printed JSON text, for the approval form. */
	public static final String EVIDENCE = "evidence";

	/** How many detections joined the response after the one that started it. */
	public static final String JOINED_DETECTIONS = "joinedDetections";

	/**
	 * The joined detections as pretty-printed JSON text (an array), for the approver; the newest when they do not all
	 * fit in a string variable. The API lists every one.
	 */
	public static final String ADDITIONAL_EVIDENCE = "additionalEvidence";

	/** Display only: the authoritative requester is the {@code response} row. */
	public static final String REQUESTED_BY = "requestedBy";

	/** The staged action as JSON text: what apply executes and re-fingerprints. */
	public static final String STAGED_ACTION = "stagedAction";

	public static final String ACTION_FINGERPRINT = "actionFingerprint";

	public static final String BLAST_RADIUS = "blastRadius";

	public static final String ROLLBACK_PLAN = "rollbackPlan";

	public static final String FAILURE_REASON = "failureReason";

	private ResponseVariables() {
	}

}
