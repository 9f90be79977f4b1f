package io.countersign.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Slack incoming-webhook payloads: {@code text} for the notification and Block Kit {@code blocks} for the message.
 * Values from integrators go into {@code plain_text} objects, which Slack renders without links, mentions or
 * formatting, so a summary cannot carry a look-alike "approve here" link or an {@code @channel}. The one mrkdwn text
 * is the link to the task, which is ours. There is deliberately no button that decides anything.
 */
final class SlackMessages {

	private static final int MAX_TEXT = 2900;

	private SlackMessages() {
	}

	static ObjectNode approval(ObjectMapper json, ApprovalNotice notice) {
		ObjectNode payload = json.createObjectNode();
		payload.put("text", escape(notice.headline() + ": " + notice.summary()));
		ArrayNode blocks = payload.putArray("blocks");
		header(blocks, notice.headline());
		plain(blocks, notice.summary());
		if (!notice.riskLine().isEmpty()) {
			plain(blocks, "Risk: " + notice.riskLine());
		}
		plain(blocks, "Deadline: " + notice.deadline());
		plain(blocks, "Who can decide: " + notice.groups());
		link(blocks, notice.link(), "Open the task in Tasklist",
				" to decide; approval happens there, signed in, not in chat.");
		return payload;
	}

	static ObjectNode outcome(ObjectMapper json, OutcomeNotice notice) {
		ObjectNode payload = json.createObjectNode();
		payload.put("text", escape(notice.headline() + ": " + notice.whatLine()));
		ArrayNode blocks = payload.putArray("blocks");
		header(blocks, notice.headline());
		plain(blocks, notice.whatLine());
		if (!notice.whyLine().isEmpty()) {
			plain(blocks, "Why: " + notice.whyLine());
		}
		plain(blocks, "Response " + notice.responseId() + " is " + notice.status().name());
		link(blocks, notice.link(), "The response in Countersign", "");
		return payload;
	}

	/** Slack's three control characters in mrkdwn; with them escaped a value cannot open a link or a mention. */
	static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static void header(ArrayNode blocks, String text) {
		ObjectNode header = blocks.addObject().put("type", "header");
		header.putObject("text").put("type", "plain_text").put("text", PlainText.singleLine(text, 150));
	}

	private static void plain(ArrayNode blocks, String text) {
		ObjectNode section = blocks.addObject().put("type", "section");
		section.putObject("text")
			.put("type", "plain_text")
			.put("text", PlainText.singleLine(text, MAX_TEXT))
			.put("emoji", false);
	}

	private static void link(ArrayNode blocks, String url, String label, String after) {
		ObjectNode section = blocks.addObject().put("type", "section");
		section.putObject("text").put("type", "mrkdwn").put("text", "<" + escape(url) + "|" + label + ">" + after);
	}

}
