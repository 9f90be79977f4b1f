package io.countersign.receipt;

/**
 * A receipt that does not authorise the action. {@link #reason()} is one of the constants below; the message adds
 * detail for logs but never the token.
 */
public class ReceiptRejectedException extends RuntimeException {

	/** Not a compact JWS, or a claim is missing or of the wrong type. */
	public static final String MALFORMED = "malformed";

	/** Not signed by a key we publish, not a receipt, or not from our issuer. */
	public static final String FOREIGN = "foreign";

	public static final String EXPIRED = "expired";

	public static final String SUBJECT_MISMATCH = "subject-mismatch";

	public static final String FINGERPRINT_MISMATCH = "fingerprint-mismatch";

	/** Already spent by an earlier, committed use. */
	public static final String REPLAYED = "replayed";

	private final String reason;

	private static final int MAX_DETAIL_LENGTH = 500;

	ReceiptRejectedException(String reason, String detail) {
		super("Receipt rejected (" + reason + "): " + printable(detail));
		this.reason = reason;
	}

	public String reason() {
		return this.reason;
	}

	/** Details quote claims of tokens nobody has verified yet: no line breaks into logs, no megabytes. */
	private static String printable(String detail) {
		String flat = detail.replaceAll("\\p{Cntrl}", "?");
		return (flat.length() <= MAX_DETAIL_LENGTH) ? flat : flat.substring(0, MAX_DETAIL_LENGTH) + "…";
	}

}
