package io.countersign.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionTypes;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityStatus;
import io.countersign.inventory.PrivilegeLevel;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseStatus;
import io.countersign.response.ResponseView;
import org.junit.jupiter.api.Test;

/** The card's words for every action type, from what is stored; and how names from integrators are written. */
class ApprovalCardsTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Instant OPENED = Instant.parse("2026-12-01T08:00:00Z");

	private final Identity payments = new Identity("svc-payments", "team-payments", "payments", Environment.STAGING,
			IdentityStatus.ACTIVE, List.of("payments:read", "iam:admin"),
			List.of(new Identity.Consumer("checkout-web", true, Instant.parse("2026-11-30T10:00:00Z")),
					new Identity.Consumer("batch", false, null)),
			List.of(new Identity.Credential("payments-api-key", CredentialKind.API_KEY, CredentialStatus.ACTIVE, 1,
					List.of(), "alice"),
					new Identity.Credential("acme-trust", CredentialKind.FEDERATED_TRUST, CredentialStatus.ACTIVE, 1,
							List.of(), null)),
			OPENED, OPENED, PrivilegeLevel.ADMIN);

	@Test
	void shouldSayWhatHappensToWhatForEveryActionType() {
		assertThat(plain(ActionTypes.CREDENTIAL_DISABLE, Map.of("credential", "payments-api-key")))
			.isEqualTo("Disable API key payments-api-key of svc-payments");
		assertThat(plain(ActionTypes.CREDENTIAL_SUSPEND, Map.of("credential", "payments-api-key")))
			.isEqualTo("Suspend API key payments-api-key of svc-payments until someone decides");
		assertThat(plain(ActionTypes.CREDENTIAL_ENABLE, Map.of("credential", "payments-api-key")))
			.isEqualTo("Restore API key payments-api-key of svc-payments: enable it again after its revocation");
		assertThat(plain(ActionTypes.CREDENTIAL_ROTATE,
				Map.of("credential", "payments-api-key", "fromVersion", 1, "toVersion", 2)))
			.isEqualTo("Rotate API key payments-api-key of svc-payments from version 1 to version 2");
		assertThat(plain(ActionTypes.PRIVILEGES_REDUCE,
				Map.of("remove", List.of("iam:admin", "a", "b", "c", "d", "e"), "keep", List.of("payments:read"))))
			.isEqualTo("Remove 6 privileges from svc-payments: iam:admin, a, b, c and 2 more (1 kept)");
		assertThat(plain(ActionTypes.IDENTITY_SUSPEND, Map.of()))
			.isEqualTo("Suspend identity svc-payments and every credential of it until someone decides");
		assertThat(plain(ActionTypes.IDENTITY_QUARANTINE, Map.of())).isEqualTo(
				"Quarantine identity svc-payments: all 2 credentials stop working until a security lead releases it");
		assertThat(plain(ActionTypes.IDENTITY_RELEASE, Map.of()))
			.isEqualTo("Release identity svc-payments from quarantine: its credentials work again");
		assertThat(plain(ActionTypes.WORKLOAD_ISOLATE, Map.of("workload", "checkout-web", "customerFacing", true)))
			.isEqualTo("Isolate workload checkout-web (customer-facing): it stops receiving svc-payments");
		assertThat(plain(ActionTypes.FEDERATION_DISABLE,
				Map.of("trust", "acme-trust", "partnerCredentials", List.of("acme-key"))))
			.isEqualTo("Disable federated trust acme-trust of svc-payments and 1 partner credential: acme-key");
		assertThat(ApprovalCards.sentence(new StagedAction(ActionTypes.MODEL_DEPLOY, "countersign-models",
				parameters(Map.of("changeId", "c-1", "resources",
						Map.of("bpmn/approval-policy.dmn", "sha256:1", "forms/approval-gate.form", "sha256:2")))),
				view(null), null, CardText.PLAIN))
			.startsWith("Deploy a change to Countersign's models c-1: 2 models (");
		assertThat(plain("target.custom", Map.of())).isEqualTo("Apply target.custom to svc-payments");
	}

	@Test
	void shouldWriteEveryNameAsCodeInMarkdownSoNoNameCanFormatTheCard() {
		String hostile = "key` **APPROVED** [click](http://evil) <img src=x onerror=alert(1)>\n# heading";
		String markdown = ApprovalCards.sentence(action(ActionTypes.CREDENTIAL_DISABLE, Map.of("credential", hostile)),
				view(null), this.payments, CardText.MARKDOWN);

		assertThat(markdown).isEqualTo("Disable credential `` key` **APPROVED** [click](http://evil) "
				+ "<img src=x onerror=alert(1)> # heading `` of `svc-payments`");
		assertThat(CardText.escape("**x** [a](b) <i>\n# h")).isEqualTo("\\*\\*x\\*\\* \\[a\\]\\(b\\) \\<i\\> \\# h");
		assertThat(CardText.block("{\"a\":\"```\"}", "json")).startsWith("````json\n").endsWith("\n````");
	}

	@Test
	void shouldWeighEnvironmentSeverityCustomerFacingConsumersAndPrivilege() {
		ResponseView view = view(blastRadius());
		ApprovalCards.Risk risk = ApprovalCards.Risk.of(view, this.payments);

		// The strictest environment of the report and the inventory, the highest severity of any detection.
		assertThat(risk.line(CardText.PLAIN))
			.isEqualTo("production · severity critical · 1 customer-facing consumer (checkout-web) · admin privileges");
		assertThat(risk.line(CardText.MARKDOWN)).isEqualTo("**production** · **severity critical** · "
				+ "**⚠ 1 customer-facing consumer**: `checkout-web` · **admin privileges**");
		assertThat(ApprovalCards.Risk.of(view(JSON.createObjectNode()), null).line(CardText.PLAIN))
			.isEqualTo("production · severity critical · no customer-facing consumer");
	}

	@Test
	void shouldTakeDueFollowUpAndPriorityFromTheStoredRequest() {
		ApprovalRequest request = request("PT2H", "PT8H");
		ApprovalCards.Content content = ApprovalCards.content("task-1", request, view(blastRadius()),
				record(action(ActionTypes.CREDENTIAL_DISABLE, Map.of("credential", "payments-api-key"))), this.payments);

		ApprovalCard card = content.card();
		assertThat(card.summary()).isEqualTo("Disable API key payments-api-key of svc-payments");
		assertThat(content.summaryMarkdown()).isEqualTo("Disable API key `payments-api-key` of `svc-payments`");
		assertThat(card.dueAt()).isEqualTo(OPENED.plus(Duration.ofHours(8)));
		assertThat(card.followUpAt()).isEqualTo(OPENED.plus(Duration.ofHours(2)));
		assertThat(card.priority()).isEqualTo(100);
		assertThat(card.candidateGroups()).containsExactly("secops-analysts");

		String deadline = ApprovalFormFacts.deadline(card, request,
				new Quorum(ApprovalRequest.Status.OPEN, List.of(), 2, null), OPENED.plus(Duration.ofMinutes(48)));
		assertThat(deadline).isEqualTo("**expires in 7 h 12 min \\(2026\\-12\\-01 16\\:00 UTC\\)** · 0 of 2 approvals "
				+ "so far · escalates to `security-leads` in 1 h 12 min");
		assertThat(CardText.expiry(card.dueAt(), OPENED.plus(Duration.ofHours(9))))
			.isEqualTo("expired 1 h ago (2026-12-01 16:00 UTC)");
		assertThat(ApprovalCards.content("task-1", request("nonsense", null), view(null), record(null), null)
			.card()
			.dueAt()).isNull();
	}

	@Test
	void shouldListConsumersWithTheirLastUseAndCustomerFacingOnesInBold() {
		assertThat(ApprovalFormFacts.blastRadiusMarkdown(blastRadius()))
			.isEqualTo("- **`checkout-web` customer-facing**, last used 2026\\-11\\-30 10\\:00 UTC\n"
					+ "- `batch`, never seen using it");
		assertThat(ApprovalFormFacts.blastRadiusFacts(blastRadius())).isEqualTo("credential: `payments-api-key`");
		assertThat(ApprovalFormFacts.blastRadiusMarkdown(JSON.createArrayNode())).isEqualTo("No known consumers.");
	}

	private String plain(String type, Map<String, Object> parameters) {
		return ApprovalCards.sentence(action(type, parameters), view(null), this.payments, CardText.PLAIN);
	}

	private static StagedAction action(String type, Map<String, Object> parameters) {
		ObjectNode node = parameters(parameters);
		node.put("identity", "svc-payments");
		return new StagedAction(type, "svc-payments", node);
	}

	private static ObjectNode parameters(Map<String, Object> parameters) {
		return JSON.valueToTree(parameters);
	}

	private static JsonNode blastRadius() {
		try {
			return JSON.readTree("""
					{"credential":"payments-api-key","consumers":[
					 {"consumer":"checkout-web","customerFacing":true,"lastUsedAt":"2026-11-30T10:00:00Z"},
					 {"consumer":"batch","customerFacing":false,"lastUsedAt":null}]}""");
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static ResponseView view(JsonNode blastRadius) {
		List<ResponseView.DetectionView> detections = List.of(
				new ResponseView.DetectionView(1, "soc", "Key used from an unknown ASN", "high", "scanner", OPENED, null,
						"staging"),
				new ResponseView.DetectionView(2, "edr", "Same key again", "critical", "scanner", OPENED, null,
						"production"));
		return new ResponseView("r-1", "credential-revocation", ResponseStatus.AWAITING_APPROVAL, "svc-payments",
				"payments-api-key", "scanner", "Key used from an unknown ASN", "soc", "high", "staging", null,
				detections, null, blastRadius, "Enable it again.", List.of(), List.of(), List.of(), OPENED, OPENED,
				Map.of());
	}

	private static ResponseRecord record(StagedAction action) {
		return new ResponseRecord("r-1", "credential-revocation", ResponseStatus.AWAITING_APPROVAL, "svc-payments",
				"payments-api-key", "scanner", action == null ? null : action.toJson(),
				action == null ? null : action.fingerprint(), "pi-1", "high", "staging", "Key used");
	}

	private static ApprovalRequest request(String escalateAfter, String expireAfter) {
		return new ApprovalRequest("req-1", "r-1", "apply", "sha256:0", "revoke-production", "approval-policy:1:x",
				"secops-analysts", "security-leads", 2, escalateAfter, expireAfter, ApprovalRequest.Status.OPEN, null,
				null, OPENED, null, null, null, null, false, null, "P7D", new ApprovalOptions(null, false, List.of()));
	}

}
