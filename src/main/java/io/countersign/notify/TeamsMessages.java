package io.countersign.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Microsoft Teams payloads: an Adaptive Card (schema 1.4) in the {@code message}/{@code attachments} envelope that
 * Teams incoming webhooks and Workflows ("post to a channel when a webhook request is received") accept. Values from
 * integrators go into {@code TextRun}s, which Adaptive Cards render without Markdown, so a summary cannot carry a
 * link; {@code TextBlock} and {@code FactSet} would render it. The only action opens the task.
 */
final class TeamsMessages {

	static final String CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

	private TeamsMessages() {
	}

	static ObjectNode approval(ObjectMapper json, ApprovalNotice notice) {
		ObjectNode card = card(json, notice.headline());
		ArrayNode body = (ArrayNode) card.get("body");
		text(body, null, notice.summary(), true);
		if (!notice.riskLine().isEmpty()) {
			text(body, "Risk: ", notice.riskLine(), false);
		}
		text(body, "Deadline: ", notice.deadline(), false);
		text(body, "Who can decide: ", notice.groups(), false);
		text(body, null, "Approval happens in Tasklist, signed in, not in chat.", false);
		open(card, "Open the task in Tasklist", notice.link());
		return envelope(json, card);
	}

	static ObjectNode outcome(ObjectMapper json, OutcomeNotice notice) {
		ObjectNode card = card(json, notice.headline());
		ArrayNode body = (ArrayNode) card.get("body");
		text(body, null, notice.whatLine(), true);
		if (!notice.whyLine().isEmpty()) {
			text(body, "Why: ", notice.whyLine(), false);
		}
		text(body, "Response: ", notice.responseId() + " is " + notice.status().name(), false);
		open(card, "The response in Countersign", notice.link());
		return envelope(json, card);
	}

	private static ObjectNode card(ObjectMapper json, String headline) {
		ObjectNode card = json.createObjectNode();
		card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
		card.put("type", "AdaptiveCard");
		card.put("version", "1.4");
		ArrayNode body = card.putArray("body");
		body.addObject()
			.put("type", "TextBlock")
			.put("text", PlainText.singleLine(headline, 150))
			.put("weight", "Bolder")
			.put("size", "Medium")
			.put("wrap", true);
		return card;
	}

	private static void text(ArrayNode body, String label, String value, boolean bold) {
		ObjectNode block = body.addObject().put("type", "RichTextBlock");
		ArrayNode inlines = block.putArray("inlines");
		if (label != null) {
			inlines.addObject().put("type", "TextRun").put("text", label).put("weight", "Bolder");
		}
		ObjectNode run = inlines.addObject().put("type", "TextRun").put("text", PlainText.singleLine(value, 2000));
		if (bold) {
			run.put("weight", "Bolder");
		}
	}

	private static void open(ObjectNode card, String title, String url) {
		card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", title).put("url", url);
	}

	private static ObjectNode envelope(ObjectMapper json, ObjectNode card) {
		ObjectNode message = json.createObjectNode();
		message.put("type", "message");
		ObjectNode attachment = message.putArray("attachments").addObject();
		attachment.put("contentType", CARD_CONTENT_TYPE);
		attachment.putNull("contentUrl");
		attachment.set("content", card);
		return message;
	}

}
