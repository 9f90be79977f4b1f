package io.countersign.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.support.ApiClient.Reply;
import org.junit.jupiter.api.Test;

/**
 * The bad input a fault campaign found answered 500 or silently accepted, each sent as the role that may call the
 * endpoint: every answer is a 4xx problem+json naming the problem, and nothing is stored.
 */
class BadInputIntegrationTest extends BadInputFixture {

	@Test
	void shouldRefuseKeyRepeatedAfterLastFieldOfResponseRequest() {
		String body = json(responseBody()).replaceFirst("}$", ",\"evidence\":{\"url\":\"https://elsewhere\"}}");
		refused("scanner", "POST", "/api/v1/responses", body, 400);
	}

	@Test
	void shouldRefuseWildcardContentTypes() {
		for (String type : List.of("*/*", "application/*", "text/*", "*/json", "not a type", "text/plain")) {
			Reply reply = refused("scanner", "POST", "/api/v1/responses", json(responseBody()), type, 415);
			assertThat(reply.body()).as(type).contains("Content-Type");
		}
	}

	@Test
	void shouldRefuseNullBodyToAgentActions() {
		for (String body : List.of("null", "[]", "\"x\"", "42", "true")) {
			refused("research-bot", "POST", "/api/v1/agent-actions", body, 400);
		}
	}

	@Test
	void shouldRefuseLoneSurrogateInAgentPurpose() {
		for (String surrogate : List.of("\\ud800", "\\udc00", "x\\ud83d", "\\ude00x")) {
			String body = json(agentBody()).replace("\"purpose\":\"Refund a duplicate charge\"",
					"\"purpose\":\"" + surrogate + "\"");
			assertThat(body).contains(surrogate);
			Reply reply = refused("research-bot", "POST", "/api/v1/agent-actions", body, 400);
			assertThat(reply.body()).contains("purpose");
		}
	}

	@Test
	void shouldAnswerConflictWhenUpsertClaimsCredentialOfAnotherIdentity() {
		refused("scanner", "PUT", "/api/v1/identities/svc-thief-" + UUID.randomUUID(), json(identityBody(this.credential)),
				409);
		assertThat(this.api.get("scanner", "/api/v1/identities/" + this.identity).json().path("credentials").get(0)
			.path("id").asText()).isEqualTo(this.credential);
	}

	@Test
	void shouldRefuseNulInEveryTextFieldAndQueryParameter() {
		for (String field : List.of("summary", "source", "playbook", "identity", "credential")) {
			refused("scanner", "POST", "/api/v1/responses", withText(responseBody(), field, "a\u0000b"), 400);
		}
		ObjectNode evidence = (ObjectNode) JSON.valueToTree(responseBody());
		evidence.putObject("evidence").put("note\u0000", "x");
		refused("scanner", "POST", "/api/v1/responses", evidence.toString(), 400);
		for (String field : List.of("owner", "description")) {
			refused("scanner", "PUT", "/api/v1/identities/" + this.identity, withText(identityBody(this.credential),
					field, "a\u0000b"), 400);
		}
		String identityJson = json(identityBody(this.credential));
		for (String planted : List.of(identityJson.replace("\"repo:write\"", "\"repo:\\u0000write\""),
				identityJson.replace("\"deploy-pipeline\"", "\"deploy\\u0000pipeline\""),
				identityJson.replace("\"createdBy\":\"mallory\"", "\"createdBy\":\"mal\\u0000lory\""))) {
			assertThat(planted).contains("\\u0000");
			refused("scanner", "PUT", "/api/v1/identities/" + this.identity, planted, 400);
		}
		for (String field : List.of("purpose", "tool", "scope", "agent")) {
			refused("research-bot", "POST", "/api/v1/agent-actions", withText(agentBody(), field, "a\u0000b"), 400);
		}
		ObjectNode arguments = (ObjectNode) JSON.valueToTree(agentBody());
		arguments.putObject("arguments").put("orderId", "ORD\u00001");
		refused("research-bot", "POST", "/api/v1/agent-actions", arguments.toString(), 400);
		refused("bob", "POST", "/api/v1/responses/" + this.responseId + "/decision",
				json(Map.of("decision", "REJECT", "reason", "no\u0000pe")), 400);
		refused("erin", "POST", "/api/v1/agent-actions/" + this.agentActionId + "/revocation",
				json(Map.of("reason", "no\u0000pe")), 400);
		refused("audrey", "GET", "/api/v1/audit?response=" + this.responseId + "%00", null, 400);
		refused("scanner", "GET", "/api/v1/responses?playbook=secret%00rotation", null, 400);
		refused("scanner", "GET", "/api/v1/responses?status=APPLIED%00", null, 400);
		refused("erin", "DELETE", "/api/v1/agent-grants/" + UUID.randomUUID() + "?reason=a%00b", null, 400);
	}

	@Test
	void shouldRefuseTrailingGarbageAndCoercedIntegers() {
		for (String tail : List.of("NaN", "{}", "{\"summary\":\"again\"}", "]", "x")) {
			refused("scanner", "POST", "/api/v1/responses", json(responseBody()) + tail, 400);
			refused("research-bot", "POST", "/api/v1/agent-actions", json(agentBody()) + tail, 400);
		}
		String agent = json(agentBody());
		for (String duration : List.of("\"900\"", "1.5", "900.0", "true", "1e3")) {
			refused("research-bot", "POST", "/api/v1/agent-actions",
					agent.replace("\"durationSeconds\":900", "\"durationSeconds\":" + duration), 400);
		}
		refused("scanner", "PUT", "/api/v1/identities/" + this.identity,
				json(identityBody(this.credential)).replace("\"customerFacing\":false", "\"customerFacing\":\"false\""),
				400);
	}

	/** Every field of every body replaced by values of the wrong type, shape or content; every whole body mangled. */
}
