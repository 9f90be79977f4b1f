package io.countersign.response;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Renders the {@link ResponseVariables#ADDITIONAL_EVIDENCE} variable: the detections that joined a response, as
 * pretty JSON the approver reads next to the original evidence.
 *
 * <p>The engine keeps a string variable in a 4,000-character column, and a longer one fails the whole transaction,
 * so up to 100 joined detections of up to 64 KiB each cannot all be shown. The newest are kept, because they are what
 * the approver has not seen yet; an evidence too large to show on its own is replaced by a pointer; and a leading
 * note says how many earlier ones were left out. The response's {@code detections} in the API always has them all.
 */
final class AdditionalEvidence {

	/** {@code ACT_RU_VARIABLE.TEXT_} is {@code varchar(4000)} on H2 and PostgreSQL. */
	static final int MAX_CHARS = 4000;

	private AdditionalEvidence() {
	}

	/**
	 * @param joined the joined detections, oldest first (without the one that started the response)
	 * @param selfLink where the API shows every detection, named in place of what does not fit
	 */
	static String render(ObjectMapper mapper, List<ResponseRepository.Detection> joined, String selfLink) {
		List<ObjectNode> entries = joined.stream().map(detection -> entry(mapper, detection)).toList();
		String all = pretty(mapper, mapper.createArrayNode().addAll(entries));
		if (all.length() <= MAX_CHARS) {
			return all;
		}
		Deque<JsonNode> shown = new ArrayDeque<>();
		String fitting = pretty(mapper, withNote(mapper, shown, entries.size(), selfLink));
		for (int i = entries.size() - 1; i >= 0; i--) {
			String candidate = attempt(mapper, shown, entries.get(i), entries.size(), selfLink);
			if (candidate == null) {
				ObjectNode withoutEvidence = entries.get(i).deepCopy();
				withoutEvidence.put("evidence", "Too large to show here: " + selfLink + " lists it");
				candidate = attempt(mapper, shown, withoutEvidence, entries.size(), selfLink);
			}
			if (candidate == null) {
				break;
			}
			fitting = candidate;
		}
		return fitting;
	}

	/** Adds {@code entry} in front of those shown when the result still fits; else leaves them as they were. */
	private static String attempt(ObjectMapper mapper, Deque<JsonNode> shown, JsonNode entry, int total,
			String selfLink) {
		shown.addFirst(entry);
		String text = pretty(mapper, withNote(mapper, shown, total, selfLink));
		if (text.length() <= MAX_CHARS) {
			return text;
		}
		shown.removeFirst();
		return null;
	}

	private static ArrayNode withNote(ObjectMapper mapper, Deque<JsonNode> shown, int total, String selfLink) {
		ArrayNode array = mapper.createArrayNode();
		int omitted = total - shown.size();
		if (omitted > 0) {
			array.addObject()
				.put("omitted", omitted)
				.put("note", omitted + " earlier joined detection(s) are not shown here; " + selfLink
						+ " lists every detection");
		}
		shown.forEach(array::add);
		return array;
	}

	private static ObjectNode entry(ObjectMapper mapper, ResponseRepository.Detection detection) {
		ObjectNode entry = mapper.createObjectNode()
			.put("source", detection.source())
			.put("summary", detection.summary())
			.put("severity", detection.severity())
			.put("requestedBy", detection.requestedBy())
			.put("receivedAt", detection.receivedAt().toString());
		try {
			entry.set("evidence", mapper.readTree(detection.evidence()));
		}
		catch (JsonProcessingException ex) {
			// Stored by us as JSON; should it ever not parse, the approver still sees it as text.
			entry.put("evidence", detection.evidence());
		}
		return entry;
	}

	private static String pretty(ObjectMapper mapper, JsonNode node) {
		try {
			return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A JSON tree always serializes", ex);
		}
	}

}
