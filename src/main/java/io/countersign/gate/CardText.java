package io.countersign.gate;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an approval card writes names and times. The card's sentences are built once with a {@code name} function:
 * {@link #PLAIN} for chat and mail, {@link #MARKDOWN} for the form's text views, which render Markdown and would
 * otherwise let an integrator's identity or credential name format, link or hide parts of the card.
 */
public final class CardText {

	/** Names as they are. */
	public static final UnaryOperator<String> PLAIN = name -> name;

	/** Names as inline code: shown verbatim, whatever characters they hold. */
	public static final UnaryOperator<String> MARKDOWN = CardText::code;

	private static final Pattern BACKTICKS = Pattern.compile("`+");

	private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
		.withZone(ZoneOffset.UTC);

	private CardText() {
	}

	/**
	 * Text for a Markdown paragraph: every ASCII punctuation character is backslash-escaped (CommonMark treats an
	 * escaped punctuation character as itself), and line breaks become spaces so a value cannot start a heading,
	 * list or code block.
	 */
	public static String escape(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder escaped = new StringBuilder(text.length() + 16);
		for (char c : text.toCharArray()) {
			if (c == '\n' || c == '\r' || c == '\t') {
				escaped.append(' ');
			}
			else if (c < 0x20 || c == 0x7f) {
				continue;
			}
			else if ("\\`*_{}[]()<>#+-.!|~&\"'=:/$%@^,;?".indexOf(c) >= 0) {
				escaped.append('\\').append(c);
			}
			else {
				escaped.append(c);
			}
		}
		return escaped.toString();
	}

	/**
	 * Inline code, fenced with one backtick more than the longest run inside, so the value cannot close it; inside a
	 * code span neither Markdown nor HTML is interpreted.
	 */
	public static String code(String name) {
		if (name == null || name.isBlank()) {
			return "`?`";
		}
		String value = name.replaceAll("[\\r\\n\\t]", " ").replaceAll("\\p{Cc}", "");
		int longest = 0;
		Matcher runs = BACKTICKS.matcher(value);
		while (runs.find()) {
			longest = Math.max(longest, runs.group().length());
		}
		String fence = "`".repeat(longest + 1);
		String pad = value.startsWith("`") || value.endsWith("`") || longest > 0 ? " " : "";
		return fence + pad + value + pad + fence;
	}

	/**
	 * A fenced code block for multi-line text (JSON): the fence is longer than any backtick run inside.
	 */
	public static String block(String text, String language) {
		if (text == null || text.isBlank()) {
			return null;
		}
		int longest = 0;
		Matcher runs = BACKTICKS.matcher(text);
		while (runs.find()) {
			longest = Math.max(longest, runs.group().length());
		}
		String fence = "`".repeat(Math.max(3, longest + 1));
		return fence + (language == null ? "" : language) + "\n" + text.strip() + "\n" + fence;
	}

	/** "7 h 12 min", "3 d 4 h", "45 s": the two largest units, for a deadline read at a glance. */
	public static String duration(Duration duration) {
		Duration d = duration.isNegative() ? duration.negated() : duration;
		long days = d.toDays();
		long hours = d.toHoursPart();
		long minutes = d.toMinutesPart();
		if (days > 0) {
			return days + " d" + (hours > 0 ? " " + hours + " h" : "");
		}
		if (hours > 0) {
			return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
		}
		if (minutes > 0) {
			return minutes + " min";
		}
		return Math.max(d.toSecondsPart(), 0) + " s";
	}

	/** "expires in 7 h 12 min (2026-12-01 10:00 UTC)", or "expired 5 min ago (…)"; null without a deadline. */
	public static String expiry(Instant deadline, Instant now) {
		if (deadline == null) {
			return null;
		}
		String at = " (" + AT.format(deadline) + ")";
		return now.isBefore(deadline) ? "expires in " + duration(Duration.between(now, deadline)) + at
				: "expired " + duration(Duration.between(deadline, now)) + " ago" + at;
	}

	/** A time as the card writes it: "2026-12-01 10:00 UTC". */
	public static String at(Instant instant) {
		return instant == null ? null : AT.format(instant);
	}

}
