package io.countersign.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * A generated corpus against every {@code /api/v1} endpoint: every field of every body replaced by values of the wrong
 * type, shape or content, whole bodies mangled, wrong Content-Types, hostile query parameters and paths. No answer is a
 * 5xx, every error is problem+json, and a refused request leaves every stored row as it was.
 */
class BadInputCorpusIntegrationTest extends BadInputFixture {

	@Test
	void shouldAnswerGeneratedCorpusWithProblemsAndStoreNothing() {
		String deep = "[".repeat(5000) + "]".repeat(5000);
		List<String> values = List.of("12345", "-1", "1.5", "true", "[]", "{}", "[1,{\"a\":[null]}]", "\"\"",
				"\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"" + "x".repeat(5000) + "\"",
				"\"" + "\u00e9\uD83D\uDE00\u202e".repeat(2000) + "\"", "\"\u0001\u001f\u007f\uFEFF\uFFFF\"", deep,
				"\"" + "\\u0000".repeat(100) + "\"", "\"9" + "9".repeat(400) + "\"", "9" + "9".repeat(400));
		Map<String, Object[]> endpoints = new LinkedHashMap<>();
		endpoints.put("/api/v1/responses", new Object[] { "scanner", "POST", responseBody() });
		endpoints.put("/api/v1/identities/" + this.identity, new Object[] { "scanner", "PUT",
				identityBody(this.credential) });
		endpoints.put("/api/v1/agent-actions", new Object[] { "research-bot", "POST", agentBody() });
		endpoints.put("/api/v1/agent-actions/" + this.agentActionId + "/revocation",
				new Object[] { "erin", "POST", Map.of("reason", "ended") });
		endpoints.put("/api/v1/agent-actions/" + this.agentActionId + "/uses",
				new Object[] { "tool-server", "POST", Map.of("receipt", "eyJ.x.y", "tool", "payments.refund",
						"arguments", Map.of("orderId", "ORD-9"), "singleUse", true) });
		endpoints.put("/api/v1/responses/" + this.responseId + "/decision", new Object[] { "bob", "POST",
				Map.of("decision", "REJECT", "reason", "corpus", "narrowedTo", List.of("a"), "monitorFor", "P1D",
						"confirmations", Map.of("ticket", "T-1")) });
		int sent = 0;
		for (Map.Entry<String, Object[]> endpoint : endpoints.entrySet()) {
			String user = (String) endpoint.getValue()[0];
			String method = (String) endpoint.getValue()[1];
			ObjectNode base = (ObjectNode) JSON.valueToTree(endpoint.getValue()[2]);
			List<String> bodies = new ArrayList<>(List.of("", " ", "null", "[]", "{", "}", "{\"a\":", deep,
					"{\"" + "k".repeat(100_000) + "\":1}", "\u0000", "{}", base + base.toString(), base + "//x",
					base.toString().replace(":", ": :"), "'single':'quotes'", "{\"__proto__\":{}}"));
			for (String field : iterable(base.fieldNames())) {
				for (String value : values) {
					ObjectNode mutated = base.deepCopy();
					mutated.remove(field);
					String text = mutated.toString();
					bodies.add(text.substring(0, text.length() - 1) + (mutated.isEmpty() ? "" : ",") + "\"" + field
							+ "\":" + value + "}");
				}
			}
			for (String body : bodies) {
				sendCorpus(user, method, endpoint.getKey(), body, "application/json");
				sent++;
			}
			for (String type : List.of("*/*", "application/*", "text/*", "application/xml", "text/plain",
					"multipart/form-data", "application/x-www-form-urlencoded", "application/json; charset=latin-7",
					";;;", "application/json, text/plain")) {
				sendCorpus(user, method, endpoint.getKey(), base.toString(), type);
				sent++;
			}
		}
		List<String[]> queries = List.of(new String[] { "scanner", "GET", "/api/v1/responses?status=" },
				new String[] { "scanner", "GET", "/api/v1/responses?playbook=" },
				new String[] { "scanner", "GET", "/api/v1/responses?page=" },
				new String[] { "scanner", "GET", "/api/v1/responses?size=" },
				new String[] { "audrey", "GET", "/api/v1/audit?response=" },
				new String[] { "erin", "GET", "/api/v1/agent-grants?active=" },
				new String[] { "research-bot", "GET", "/api/v1/agent-actions/" + this.agentActionId + "?waitSeconds=" },
				new String[] { "erin", "DELETE", "/api/v1/agent-grants/" + UUID.randomUUID() + "?reason=" });
		for (String[] query : queries) {
			for (String value : List.of("%00", "%25", "%2500", "%ED%A0%80", "%FF%FE", "x".repeat(5000), "-1",
					"99999999999999999999", "1.5", "%E2%80%AE", "a&b=c", "%C0%80")) {
				sendCorpus(query[0], query[1], query[2] + value, null, null);
				sent++;
			}
		}
		for (String path : List.of("/api/v1/responses/%00", "/api/v1/responses/" + "x".repeat(3000),
				"/api/v1/identities/%E2%80%AE", "/api/v1/agent-actions/%ED%A0%80", "/api/v1/agent-grants/%25",
				"/api/v1/identities/..%2F..%2Fetc")) {
			sendCorpus("scanner", "GET", path, null, null);
			sent++;
		}
		assertThat(sent).isGreaterThan(500);
	}

}
