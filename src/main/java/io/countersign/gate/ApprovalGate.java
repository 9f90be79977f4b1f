package io.countersign.gate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.countersign.action.StagedAction;
import io.countersign.governance.MembershipRule;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.notify.Escalation;
import io.countersign.receipt.IssuedReceipt;
import io.countersign.receipt.ReceiptRequest;
import io.countersign.receipt.Receipts;
import io.countersign.response.ResponseRecord;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.IdentityService;

import org.springframework.stereotype.Service;

/**
 * The approval gate's rules, shared by every playbook: open a request under the policy, accept or refuse each
 * decision, count the quorum, escalate, expire. Everything it enforces is read from the database at the moment
 * of enforcement, never from process variables.
 */
@Service
class ApprovalGate {

	static final String DEFAULT_PURPOSE = "apply";

	private final ApprovalPolicy policy;

	private final ApprovalRequests requests;

	private final SeparationOfDuties separationOfDuties;

	private final Responses responses;

	private final Inventory inventory;

	private final IdentityService identityService;

	private final Receipts receipts;

	private final RequestDeadline deadline;

	private final PolicyInputs inputs;

	private final Clock clock = Clock.systemUTC();

	private final MembershipRule membershipRule;

	private final ModelChangeApproval modelChanges;

	ApprovalGate(ApprovalPolicy policy, ApprovalRequests requests, SeparationOfDuties separationOfDuties,
			Responses responses, Inventory inventory, IdentityService identityService, Receipts receipts,
			RequestDeadline deadline, MembershipRule membershipRule, PolicyInputs inputs,
			ModelChangeApproval modelChanges) {
		this.modelChanges = modelChanges;
		this.membershipRule = membershipRule;
		this.inputs = inputs;
		this.receipts = receipts;
		this.deadline = deadline;
		this.policy = policy;
		this.requests = requests;
		this.separationOfDuties = separationOfDuties;
		this.responses = responses;
		this.inventory = inventory;
		this.identityService = identityService;
	}

	/**
	 * Asks the policy about the response's staged action and records its answer: an open request, or a denied one
	 * that nobody can approve. The policy is the one deployed with the asking process ({@code models}).
	 */
	ApprovalRequest open(String responseId, String purpose, ApprovalOptions options, ModelsInUse models) {
		ResponseRecord response = response(responseId);
		if (response.stagedAction() == null || response.actionFingerprint() == null) {
			throw new IllegalStateException("response " + responseId + " has no staged action to approve");
		}
		StagedAction action = StagedAction.fromJson(response.stagedAction());
		Optional<Identity> identity = this.inventory.find(response.identity());
		boolean modelChange = ModelChangeApproval.concerns(response);
		PolicyInput input = modelChange ? this.modelChanges.input(action)
				: identity.map(found -> this.inputs.of(response, found, action, null)).orElse(null);
		PolicyEvaluation evaluation = modelChange ? this.modelChanges.evaluation() : Optional.ofNullable(input)
			.map(found -> this.policy.evaluate(models.deploymentId(), found))
			.orElseGet(() -> PolicyEvaluation.denied(
					"identity '" + response.identity() + "' is not in the inventory, so no policy input is known", null));
		Instant now = this.clock.instant();
		String version = evaluation.policyVersion() == null ? "none" : evaluation.policyVersion();
		ApprovalRequest request;
		if (evaluation.isDenied()) {
			request = new ApprovalRequest(UUID.randomUUID().toString(), responseId, purpose,
					response.actionFingerprint(), "none", version, null, null, 0, null, null,
					ApprovalRequest.Status.DENIED, evaluation.deniedReason(), null, now, now, null, null, null, false, null,
					null, options);
			this.requests.insert(request);
			this.responses.event(responseId, "POLICY_EVALUATED", null, "Denied by " + version + ": "
					+ evaluation.deniedReason(), Map.of("approvalRequest", request.id(), "policyVersion", version,
							"models", models.data()));
			return request;
		}
		PolicyDecision decision = evaluation.decision();
		// Containment acts before anyone decided, so it needs the inventory's word too, not the detection's alone.
		boolean containFirst = decision.containFirst() && identity.isPresent()
				&& PolicyInputs.inventoryAgrees(input, identity.get());
		request = new ApprovalRequest(UUID.randomUUID().toString(), responseId, purpose, response.actionFingerprint(),
				decision.rule(), version, decision.approverGroup(), decision.escalationGroup(),
				decision.requiredApprovals(), decision.escalateAfter().toString(), decision.expireAfter().toString(),
				ApprovalRequest.Status.OPEN, null, null, now, null, null, null, null, containFirst,
				decision.requiredGroup(), decision.rollbackWindow() == null ? null : decision.rollbackWindow().toString(),
				options);
		this.requests.insert(request);
		this.responses.event(responseId, "POLICY_EVALUATED", null,
				"Rule '" + decision.rule() + "' of " + version + ": " + decision.requiredApprovals()
						+ " distinct approval(s) from " + decision.approverGroup() + ", escalate to "
						+ decision.escalationGroup() + " after " + decision.escalateAfter() + ", expire after "
						+ decision.expireAfter()
						+ (decision.requiredGroup() == null ? "" : "; one approval must come from "
								+ decision.requiredGroup())
						+ (containFirst ? "; containment before the decision allowed" : "")
						+ (decision.containFirst() && !containFirst ? "; no containment before the decision: the "
								+ "inventory does not place " + response.identity() + " in " + input.environment()
								: ""),
				Map.of("approvalRequest", request.id(), "rule", decision.rule(), "policyVersion", version,
						"approverGroup", decision.approverGroup(), "requiredApprovals", decision.requiredApprovals(),
						"fingerprint", request.actionFingerprint(), "environment", input.environment(), "severity",
						input.severity(), "models", models.data()));
		return request;
	}

	/** A decision as submitted through any channel, with the engine's authenticated user. */
	record Submission(String requestId, String responseId, String taskId, String user, String decision, String reason,
			String approvedFingerprint, Map<String, String> extras) {

		Submission {
			extras = extras == null ? Map.of() : extras;
		}

	}

	/**
	 * Applies every rule to a submitted decision and records it, or throws the refusal that names the rule. Who is
	 * refused is checked before what was submitted, so a stranger learns nothing about the form.
	 */
	Quorum decide(Submission submission) {
		if (submission.user() == null) {
			throw new ApprovalRefusedException("authenticated-approver",
					"an approval must be completed by an authenticated user");
		}
		ApprovalRequest request = request(submission.requestId(), submission.responseId());
		ResponseRecord response = response(submission.responseId());
		String user = submission.user();
		if (request.status() == ApprovalRequest.Status.CANCELLED) {
			// The response ended (its process was deleted or ended elsewhere) and left this task behind.
			throw new ApprovalRefusedException("request-open",
					"approval request " + request.id() + " is CANCELLED; nothing can be decided");
		}
		if (request.status() != ApprovalRequest.Status.OPEN) {
			// Its task is still open, so the request was closed by a decision or timer that committed after this
			// completion loaded the task: a lost race, answered as a conflict like any other.
			throw new ConcurrentDecisionException("request-open",
					"approval request " + request.id() + " is " + request.status() + "; nothing can be decided");
		}
		this.deadline.refuseAfterDeadline(request);
		Set<String> allowed = allowedGroups(request);
		Set<String> memberships = groupsOf(user);
		if (allowed.stream().noneMatch(memberships::contains)) {
			throw new ApprovalRefusedException("candidate-group", "user '" + user
					+ "' is not a member of the group(s) the policy named " + allowed + " (rule '"
					+ request.policyRule() + "')");
		}
		this.membershipRule.refusal(user, allowed, memberships, request.createdAt(), this.responses.requesters(
				response.id())).ifPresent(reason -> {
					throw new ApprovalRefusedException(MembershipRule.RULE, reason);
				});
		Identity identity = this.inventory.find(response.identity()).orElse(null);
		this.separationOfDuties.exclusion(user, response, identity).ifPresent(exclusion -> {
			throw new ApprovalRefusedException(exclusion.rule(), exclusion.message());
		});
		List<ApprovalRequests.Decision> earlier = this.requests.decisions(request.id());
		if (earlier.stream().anyMatch(d -> d.approver().equals(user))) {
			throw new ApprovalRefusedException("distinct-approvers",
					"user '" + user + "' already decided on this request; the same person never counts twice");
		}

		String decision = submission.decision();
		if (decision == null || !request.options().allows(decision)) {
			throw new InvalidDecisionException("decision-required", "decision must be one of "
					+ allowedDecisions(request.options()));
		}
		String reason = submission.reason();
		if (reason == null || reason.isBlank()) {
			throw new InvalidDecisionException("reason-required", "a reason is mandatory");
		}
		if (reason.length() > ApprovalVariables.MAX_REASON_LENGTH) {
			throw new InvalidDecisionException("reason-required",
					"reason is longer than " + ApprovalVariables.MAX_REASON_LENGTH + " characters");
		}
		String submitted = submission.approvedFingerprint();
		boolean blank = submitted == null || submitted.isBlank();
		if (ApprovalVariables.APPROVE.equals(decision)) {
			if (blank) {
				throw new InvalidDecisionException("fingerprint-match",
						"approvedFingerprint is mandatory: approve the exact staged action");
			}
			if (!submitted.equals(request.actionFingerprint()) || !submitted.equals(response.actionFingerprint())) {
				throw new InvalidDecisionException("fingerprint-match", "approvedFingerprint " + submitted
						+ " is not the staged action's fingerprint " + request.actionFingerprint());
			}
		}
		if (ApprovalVariables.APPROVE.equals(decision) && request.requiredGroup() != null) {
			requireGroupComposition(request, response, identity, user, memberships);
		}
		Map<String, Object> details = DecisionDetails.of(request, response, decision, submission.extras());
		String fingerprint = blank ? request.actionFingerprint() : submitted;
		Instant now = this.clock.instant();
		this.requests.appendDecision(request.id(), response.id(), submission.taskId(), user, decision, reason.strip(),
				fingerprint, now, details.isEmpty() ? null : DecisionDetails.json(details));
		if (ApprovalVariables.NARROW.equals(decision) || ApprovalVariables.DEFER.equals(decision)) {
			ApprovalRequest.Status closed = ApprovalVariables.NARROW.equals(decision) ? ApprovalRequest.Status.REVISED
					: ApprovalRequest.Status.DEFERRED;
			Quorum quorum = new Quorum(closed, List.of(), request.requiredApprovals(), null);
			closeOrConflict(request, closed, now);
			Map<String, Object> data = new LinkedHashMap<>(details);
			data.put("approvalRequest", request.id());
			data.put("fingerprint", fingerprint);
			this.responses.event(response.id(), closed == ApprovalRequest.Status.REVISED ? "NARROWED" : "DEFERRED",
					user, (closed == ApprovalRequest.Status.REVISED ? "Narrowed " + request.options().narrowParameter()
							+ " to " + details.get(ApprovalVariables.NARROWED_TO)
							+ "; the narrowed action needs its own approval"
							: "Keep monitoring for " + details.get(ApprovalVariables.MONITOR_FOR)
									+ ", then review again; nothing applied")
							+ ": " + reason.strip(),
					data);
			return quorum;
		}
		Quorum quorum = quorum(request, response, identity);
		Map<String, Object> data = new LinkedHashMap<>(details);
		data.putAll(Map.of("approvalRequest", request.id(), "decision", decision, "reason", reason.strip(),
				"fingerprint", fingerprint, "approvals", quorum.approvers().size(), "required", quorum.required()));
		String confirmed = details.entrySet()
			.stream()
			.map(entry -> "; confirmed " + entry.getKey() + ": " + entry.getValue())
			.collect(Collectors.joining());
		this.responses.event(response.id(), "DECIDED", user,
				decision + " (" + quorum.describe() + "): " + reason.strip() + confirmed, data);
		if (quorum.state() != ApprovalRequest.Status.OPEN) {
			closeOrConflict(request, quorum.state(), now);
			this.responses.event(response.id(), quorum.state() == ApprovalRequest.Status.APPROVED ? "QUORUM_REACHED"
					: "REJECTED", null, quorum.state() == ApprovalRequest.Status.APPROVED
							? "Quorum of " + quorum.required() + " reached for " + request.actionFingerprint() + ": "
									+ String.join(", ", quorum.approvers())
							: "Rejected by " + user + "; nothing will be applied");
		}
		return quorum;
	}

	/** The request was open when this decision began; if it is not any more, another decision won the race. */
	private void closeOrConflict(ApprovalRequest request, ApprovalRequest.Status status, Instant now) {
		if (!this.requests.close(request.id(), status, now)) {
			throw new ConcurrentDecisionException(request.id());
		}
	}

	/**
	 * Counts the quorum from the decision store. Only approvals of the request's exact fingerprint by people who are
	 * eligible now count, each person once.
	 */
	Quorum quorum(ApprovalRequest request, ResponseRecord response, Identity identity) {
		List<ApprovalRequests.Decision> decisions = this.requests.decisions(request.id());
		if (decisions.stream().anyMatch(d -> ApprovalVariables.REJECT.equals(d.decision()))) {
			return new Quorum(ApprovalRequest.Status.REJECTED, List.of(), request.requiredApprovals(), null);
		}
		List<String> approvers = eligibleApprovers(request, response, identity, decisions);
		String missingGroup = request.requiredGroup() != null
				&& approvers.stream().noneMatch(a -> groupsOf(a).contains(request.requiredGroup()))
						? request.requiredGroup() : null;
		ApprovalRequest.Status state = approvers.size() >= request.requiredApprovals() && request.requiredApprovals() > 0
				&& missingGroup == null ? ApprovalRequest.Status.APPROVED : ApprovalRequest.Status.OPEN;
		return new Quorum(state, approvers, request.requiredApprovals(), missingGroup);
	}

	private List<String> eligibleApprovers(ApprovalRequest request, ResponseRecord response, Identity identity,
			List<ApprovalRequests.Decision> decisions) {
		Set<String> approvers = new LinkedHashSet<>();
		Set<String> requesters = this.responses.requesters(response.id());
		for (ApprovalRequests.Decision d : decisions) {
			if (ApprovalVariables.APPROVE.equals(d.decision()) && request.actionFingerprint().equals(d.fingerprint())
					&& this.separationOfDuties.exclusion(d.approver(), response, identity).isEmpty()
					&& this.membershipRule.refusal(d.approver(), allowedGroups(request), groupsOf(d.approver()),
							request.createdAt(), requesters).isEmpty()) {
				approvers.add(d.approver());
			}
		}
		return List.copyOf(approvers);
	}

	/**
	 * When the policy requires one approval from a group, the last free place of the quorum is kept for that group:
	 * otherwise members of the approver group alone could fill the quorum and the request could never complete.
	 */
	private void requireGroupComposition(ApprovalRequest request, ResponseRecord response, Identity identity,
			String user, Set<String> memberships) {
		if (memberships.contains(request.requiredGroup())) {
			return;
		}
		List<String> approvers = eligibleApprovers(request, response, identity, this.requests.decisions(request.id()));
		boolean groupPresent = approvers.stream().anyMatch(a -> groupsOf(a).contains(request.requiredGroup()));
		if (!groupPresent && approvers.size() + 1 >= request.requiredApprovals()) {
			throw new ApprovalRefusedException("required-group", "the remaining approval must come from a member of "
					+ request.requiredGroup() + " (rule '" + request.policyRule() + "'); user '" + user + "' is not one");
		}
	}

	Quorum quorum(ApprovalRequest request) {
		ResponseRecord response = response(request.responseId());
		return quorum(request, response, this.inventory.find(response.identity()).orElse(null));
	}

	/** Adds the escalation group; the quorum and the approvals already given stay as they were. */
	ApprovalRequest escalate(String requestId, String responseId) {
		ApprovalRequest request = request(requestId, responseId);
		if (this.requests.markEscalated(requestId, this.clock.instant())) {
			this.responses.event(responseId, "ESCALATED", null, "No quorum after " + request.escalateAfter()
					+ ": " + request.escalationGroup() + " may now approve too; " + quorum(request).describe()
					+ " so far");
		}
		return this.requests.find(requestId).orElseThrow();
	}

	/**
	 * Signs a receipt for an approved request, after counting the quorum once more from the decision store: a
	 * diagram that reaches this step without a quorum gets an incident, not a receipt.
	 */
	IssuedReceipt issueReceipt(String requestId, String responseId) {
		ApprovalRequest request = request(requestId, responseId);
		Quorum quorum = quorum(request);
		if (request.status() != ApprovalRequest.Status.APPROVED || quorum.state() != ApprovalRequest.Status.APPROVED) {
			throw new IllegalStateException("No receipt for approval request " + requestId + ": it is "
					+ request.status() + " with " + quorum.describe());
		}
		IssuedReceipt receipt = this.receipts.issue(new ReceiptRequest(responseId, request.actionFingerprint(),
				quorum.approvers(), request.policyRule(), null,
				Map.of("approvalRequest", request.id(), "purpose", request.purpose(), "policyVersion",
						request.policyVersion())));
		this.requests.storeReceipt(requestId, receipt.id(), receipt.token(), receipt.expiresAt());
		this.responses.event(responseId, "RECEIPT_ISSUED", null, "Receipt " + receipt.id() + " for "
				+ request.actionFingerprint() + " signed by key " + receipt.keyId() + ", single use, valid until "
				+ receipt.expiresAt(),
				Map.of("receiptId", receipt.id(), "keyId", receipt.keyId(), "expiresAt", receipt.expiresAt().toString(),
						"approvers", quorum.approvers()));
		return receipt;
	}

	/** What the escalation group is told about one open task. */
	Escalation escalation(ApprovalRequest request, Quorum quorum, String taskId, String taskName) {
		ResponseRecord response = response(request.responseId());
		StagedAction action = StagedAction.fromJson(response.stagedAction());
		return new Escalation(response.id(), taskId, taskName, response.summary(), response.identity(), action.type(),
				request.actionFingerprint(), request.escalationGroup(), quorum.stillNeeded(),
				request.createdAt().plus(Duration.parse(request.expireAfter())));
	}

	/** The timer fired before the quorum: the request is denied and stays denied. */
	void expire(String requestId, String responseId) {
		ApprovalRequest request = request(requestId, responseId);
		if (this.requests.close(requestId, ApprovalRequest.Status.EXPIRED, this.clock.instant())) {
			this.responses.event(responseId, "EXPIRED", null, "No quorum within " + request.expireAfter() + " ("
					+ quorum(request).describe() + "); the action is denied and nothing was changed",
					Map.of("approvalRequest", requestId));
		}
	}

	/** For example "Approve credential.rotate of payments-api-key (2 of 2)": the name Tasklist lists. */
	String taskName(ApprovalRequest request, int next) {
		StagedAction action = StagedAction.fromJson(response(request.responseId()).stagedAction());
		String name = "Approve " + action.type() + " of " + action.target()
				+ (DEFAULT_PURPOSE.equals(request.purpose()) ? "" : " (" + request.purpose() + ")");
		return request.requiredApprovals() > 1 ? name + " (" + next + " of " + request.requiredApprovals() + ")"
				: name;
	}

	/** The request an approval task being created decides: the response's newest, which must be open. */
	ApprovalRequest openRequest(String responseId) {
		return this.requests.latest(responseId)
			.filter(request -> request.status() == ApprovalRequest.Status.OPEN)
			.orElseThrow(() -> new IllegalStateException(
					"response " + responseId + " has no open approval request for an approval task to decide"));
	}

	ApprovalRequest request(String requestId, String responseId) {
		if (requestId == null) {
			throw new ApprovalRefusedException("known-request", "no approval request is attached to this task");
		}
		return this.requests.find(requestId)
			.filter(found -> found.responseId().equals(responseId))
			.orElseThrow(() -> new ApprovalRefusedException("known-request",
					"approval request " + requestId + " does not belong to response " + responseId));
	}

	/** The groups whose members may decide now: the policy's approvers, plus the escalation group once escalated. */
	static Set<String> allowedGroups(ApprovalRequest request) {
		Set<String> groups = new LinkedHashSet<>();
		if (request.approverGroup() != null) {
			groups.add(request.approverGroup());
		}
		if (request.requiredGroup() != null) {
			groups.add(request.requiredGroup());
		}
		if (request.escalated() && request.escalationGroup() != null) {
			groups.add(request.escalationGroup());
		}
		return groups;
	}

	private static List<String> allowedDecisions(ApprovalOptions options) {
		return Stream.of(ApprovalVariables.APPROVE, ApprovalVariables.REJECT, ApprovalVariables.NARROW, ApprovalVariables.DEFER)
			.filter(options::allows)
			.toList();
	}

	/** What the closing decision of a narrowed or deferred request submitted, for the calling playbook. */
	Map<String, Object> closingDetails(ApprovalRequest request) {
		return this.requests.decisions(request.id())
			.stream()
			.filter(d -> d.details() != null)
			.reduce((first, second) -> second)
			.map(d -> DecisionDetails.parse(d.details()))
			.orElse(Map.of());
	}

	private ResponseRecord response(String responseId) {
		return this.responses.record(responseId)
			.orElseThrow(() -> new ApprovalRefusedException("known-response", "response " + responseId + " is unknown"));
	}

	private Set<String> groupsOf(String user) {
		return WithoutAuthorization.groupsOf(this.identityService, user);
	}

}
