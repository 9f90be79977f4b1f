package io.countersign.notify;

import java.util.regex.Pattern;

/** Makes untrusted values (summaries, names from integrators) safe to put into a header or a log line. */
final class PlainText {

	/**
	 * Control characters (CR and LF among them), line and paragraph separators and invisible format characters such
	 * as bidi overrides: in a mail header they start a new header, in a log line a forged entry, in a subject a
	 * misleading text direction.
	 */
	private static final Pattern UNSAFE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");

	private static final Pattern SPACES = Pattern.compile("\\s{2,}");

	private static final String ELLIPSIS = "\u2026";

	private PlainText() {
	}

	/**
	 * The value on one line, at most {@code maxLength} characters long (cut with an ellipsis), or the empty string for
	 * {@code null}.
	 */
	static String singleLine(String value, int maxLength) {
		if (value == null) {
			return "";
		}
		String line = SPACES.matcher(UNSAFE.matcher(value).replaceAll(" ")).replaceAll(" ").strip();
		if (line.length() <= maxLength) {
			return line;
		}
		int end = maxLength - 1;
		if (Character.isHighSurrogate(line.charAt(end - 1))) {
			end--;
		}
		return line.substring(0, end) + ELLIPSIS;
	}

}
