package io.countersign.response;

/**
 * Published, inside the joining transaction, when a detection joined an open response: the approval gate asks the
 * policy again with what it reported, so a more severe detection can make the open approval stricter.
 *
 * @param severity and {@code environment} as the joining detection reported them
 */
public record DetectionJoined(String responseId, int detection, String severity, String environment,
		String requester) {
}
