package io.countersign.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.StagedAction;
import io.countersign.api.ApiException;
import io.countersign.api.NotFoundException;
import io.countersign.audit.Ledger;
import io.countersign.gate.ApprovalRefusedException;
import io.countersign.gate.InvalidDecisionException;
import io.countersign.gate.WithoutAuthorization;
import io.countersign.governance.MembershipRule;
import io.countersign.receipt.IssuedReceipt;
import io.countersign.receipt.ReceiptRejectedException;
import io.countersign.receipt.ReceiptRequest;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.receipt.Receipts;
import io.countersign.security.Groups;
import io.countersign.toolserver.ToolCallVerifier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The agent tool-call gate. An agent's request is stored, then {@code agent-tool-access} decides it: policy, a
 * standing grant or a reviewer, then a receipt valid for the approved duration, then revocation by timer or by
 * hand. Every step is a status change on the stored row that names the status it expects, and a ledger entry.
 */
@Service
public class AgentActions {

	static final String USE_CONSUMER_PREFIX = "tool-server:";

	private static final Logger log = LoggerFactory.getLogger(AgentActions.class);

	private static final ObjectMapper MAPPER = AgentJson.MAPPER;

	private final AgentActionStore store;

	private final StandingGrants grants;

	private final ToolPolicy policy;

	private final RuntimeService runtimeService;

	private final IdentityService identityService;

	private final Receipts receipts;

	private final ReceiptVerifier receiptVerifier;

	private final Ledger ledger;

	private final AgentActionWaiters waiters;

	private final Clock clock;

	private final MembershipRule membershipRule;

	AgentActions(AgentActionStore store, StandingGrants grants, ToolPolicy policy, RuntimeService runtimeService,
			IdentityService identityService, Receipts receipts, ReceiptVerifier receiptVerifier, Ledger ledger,
			AgentActionWaiters waiters, Clock clock, MembershipRule membershipRule) {
		this.membershipRule = membershipRule;
		this.store = store;
		this.grants = grants;
		this.policy = policy;
		this.runtimeService = runtimeService;
		this.identityService = identityService;
		this.receipts = receipts;
		this.receiptVerifier = receiptVerifier;
		this.ledger = ledger;
		this.waiters = waiters;
		this.clock = clock;
	}

	// ---- asking -------------------------------------------------------------------------------------------

	/**
	 * Stores the request and starts its playbook in this transaction: by the time this returns, the policy has
	 * answered and a matching standing grant has approved it, or a reviewer's task is open.
	 */
	@Transactional
	public AgentAction submit(String accountId, AgentActionRequest request) {
		AgentActionRequest.Validated valid = request.validated();
		String id = UUID.randomUUID().toString();
		String requestHash = requestHash(accountId, valid.agent(), valid.tool(), valid.argumentsJson(),
				valid.purpose(), valid.scope(), valid.durationSeconds());
		this.store.insert(id, accountId, valid, requestHash, now());
		this.ledger.append(id, "AGENT_ACTION_REQUESTED", accountId,
				"agent " + valid.agent() + " asks to call " + valid.tool() + " for " + valid.durationSeconds()
						+ " s: " + valid.purpose(),
				data("agent", valid.agent(), "tool", valid.tool(), "argumentsHash", valid.argumentsHash(),
						"requestHash", requestHash, "scope", valid.scopeText(), "durationSeconds",
						valid.durationSeconds()));
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put(AgentToolAccessProcess.AGENT, valid.agent());
		variables.put(AgentToolAccessProcess.ACCOUNT, accountId);
		variables.put(AgentToolAccessProcess.TOOL, valid.tool());
		variables.put(AgentToolAccessProcess.ARGUMENTS_DISPLAY, display(valid.argumentsJson()));
		variables.put(AgentToolAccessProcess.PURPOSE, valid.purpose());
		variables.put(AgentToolAccessProcess.SCOPE, valid.scopeText());
		variables.put(AgentToolAccessProcess.REQUESTED_DURATION, valid.durationSeconds());
		variables.put(AgentToolAccessProcess.REQUEST_HASH, requestHash);
		WithoutAuthorization.call(() -> this.runtimeService
			.startProcessInstanceByKey(AgentToolAccessProcess.KEY, id, variables));
		return this.store.find(id).orElseThrow();
	}

	// ---- the playbook's steps -----------------------------------------------------------------------------

	/**
	 * The policy step. A tool the policy forbids, or one it does not know, is denied here: fail closed.
	 * @param processDefinitionId the asking playbook's definition, whose deployment's policy answers
	 */
	ToolPolicyDecision evaluatePolicy(String id, String processDefinitionId) {
		AgentAction action = pending(id);
		ToolPolicyDecision decision = this.policy.evaluate(processDefinitionId, action.tool());
		this.store.policy(id, decision.rule(), decision.reviewerGroup(), now());
		if (!decision.allowed()) {
			end(action, AgentActionStatus.PENDING, AgentActionStatus.DENIED, "policy",
					"the agent tool policy does not allow this tool (" + decision.rule() + ")", "AGENT_ACTION_DENIED");
		}
		return decision;
	}

	/**
	 * Looks for a standing grant that covers the request, narrowest first, and records it as the decision.
	 * {@code allowed} and {@code maxDurationSeconds} are what the policy says now, in this request's policy step: a
	 * grant the policy no longer permits approves nothing.
	 */
	Optional<StandingGrant> matchStandingGrant(String id, GrantKind allowed, int maxDurationSeconds) {
		AgentAction action = pending(id);
		Optional<StandingGrant> match = this.grants.match(action, arguments(action), allowed, now());
		match.ifPresent(grant -> {
			int duration = Math.min(action.requestedDuration(),
					Math.min(grant.maxDuration(), maxDurationSeconds));
			String approvedHash = requestHash(action.accountId(), action.agent(), action.tool(),
					action.argumentsJson(), action.purpose(), action.scopeTokens(), duration);
			String decidedBy = "grant:" + grant.id();
			this.store.decide(id, decidedBy, "standing grant " + grant.id() + " (" + grant.kind() + ", by "
					+ grant.createdBy() + ")", action.scope(), duration, approvedHash, grant.id(), null, now());
			this.grants.countUse(grant.id());
			this.ledger.append(id, "AGENT_GRANT_MATCHED", decidedBy,
					"standing grant " + grant.id() + " of kind " + grant.kind() + " by " + grant.createdBy()
							+ " approves the call for " + duration + " s",
					data("grant", grant.id(), "kind", grant.kind().name(), "grantedBy", grant.createdBy(),
							"durationSeconds", duration));
		});
		return match;
	}

	/** Defaults the reviewer's form starts from: the request as asked, capped by the policy. */
	Map<String, Object> reviewDefaults(String id, ToolPolicyDecision decision) {
		AgentAction action = find(id);
		Map<String, Object> defaults = new LinkedHashMap<>();
		defaults.put(AgentToolAccessProcess.APPROVED_DURATION,
				Math.min(action.requestedDuration(), decision.maxDurationSeconds()));
		defaults.put(AgentToolAccessProcess.APPROVED_SCOPE, action.scope());
		defaults.put(AgentToolAccessProcess.STANDING_GRANT, "NONE");
		defaults.put(AgentToolAccessProcess.GRANT_DAYS, Math.min(7, Math.max(decision.maxGrantDays(), 1)));
		String pattern = ArgumentPattern.literalFor(arguments(action));
		defaults.put(AgentToolAccessProcess.GRANT_PATTERN,
				pattern.length() <= AgentToolAccessProcess.MAX_DISPLAY_LENGTH ? pattern : "");
		return defaults;
	}

	/** What a reviewer submitted with the review task. */
	record Review(String decision, String reason, Integer approvedDurationSeconds, String approvedScope,
			String standingGrant, String grantPattern, Integer grantDays) {
	}

	/**
	 * Checks and records a reviewer's decision. Refusals keep the task open: {@link ApprovalRefusedException} for
	 * who is deciding, {@link InvalidDecisionException} for what was submitted.
	 * @param processDefinitionId the reviewing playbook's definition, whose deployment's policy is asked again
	 * @return whether the reviewer approved
	 */
	boolean review(String id, String processDefinitionId, String reviewer, Review review) {
		AgentAction action = this.store.lock(id).orElseThrow(() -> new IllegalStateException("no agent action " + id));
		if (action.status() != AgentActionStatus.PENDING) {
			throw new InvalidDecisionException("still-pending", "the request is " + action.status() + ", not PENDING");
		}
		try {
			return recordReview(action, processDefinitionId, reviewer, review);
		}
		// The completion rolls back, so the attempt is recorded in a transaction of its own.
		catch (ApprovalRefusedException ex) {
			throw refusedReview(id, reviewer, ex.rule(), ex);
		}
		catch (InvalidDecisionException ex) {
			throw refusedReview(id, reviewer, ex.rule(), ex);
		}
	}

	/** A completion that did not come with a submission (see {@link io.countersign.gate.Submissions}) decides nothing. */
	void refuseUnsubmitted(String id, String reviewer, String taskId) {
		throw refusedReview(id, reviewer, "submitted-decision", new ApprovalRefusedException("submitted-decision",
				"task " + taskId + " was completed without a submission; a review counts only as submitted with the"
						+ " completing call"));
	}

	private <E extends RuntimeException> E refusedReview(String id, String reviewer, String rule, E refusal) {
		this.ledger.appendIndependently(id, "AGENT_REVIEW_REFUSED", reviewer, refusal.getMessage(),
				data("rule", rule));
		return refusal;
	}

	private boolean recordReview(AgentAction action, String processDefinitionId, String reviewer, Review review) {
		if (reviewer == null) {
			throw new ApprovalRefusedException("authenticated-reviewer",
					"the review must be completed by an authenticated user");
		}
		Set<String> groups = WithoutAuthorization.groupsOf(this.identityService, reviewer);
		if (groups.contains(Groups.AGENTS)) {
			throw new ApprovalRefusedException("agent-never-approves",
					reviewer + " is an agent account; agent accounts can never review tool calls");
		}
		if (reviewer.equals(action.accountId())) {
			throw new ApprovalRefusedException("own-request", reviewer + " asked for this call and cannot review it");
		}
		if (action.reviewerGroup() == null || !groups.contains(action.reviewerGroup())) {
			throw new ApprovalRefusedException("reviewer-group",
					reviewer + " is not in " + action.reviewerGroup() + ", the group the policy names");
		}
		this.membershipRule.refusal(reviewer, Set.of(action.reviewerGroup()), groups, action.createdAt(),
				Set.of(action.accountId())).ifPresent(reason -> {
					throw new ApprovalRefusedException(MembershipRule.RULE, reason);
				});
		String decision = review.decision() == null ? "" : review.decision().strip().toUpperCase();
		if (!decision.equals("APPROVE") && !decision.equals("DENY")) {
			throw new InvalidDecisionException("decision", "decision must be APPROVE or DENY");
		}
		String reason = review.reason() == null ? "" : review.reason().strip();
		if (reason.isEmpty() || reason.length() > AgentActionRequest.MAX_PURPOSE_LENGTH) {
			throw new InvalidDecisionException("reason", "a reason of 1 to 1000 characters is required");
		}
		if (decision.equals("DENY")) {
			this.store.decide(action.id(), reviewer, reason, null, null, null, null, null, now());
			return false;
		}
		ToolPolicyDecision policy = this.policy.evaluate(processDefinitionId, action.tool());
		if (!policy.allowed()) {
			throw new InvalidDecisionException("policy", "the agent tool policy no longer allows " + action.tool()
					+ " (" + policy.rule() + "); deny the request");
		}
		// Left out of the submission, the duration is the form's default: as requested, capped by the policy.
		int duration = review.approvedDurationSeconds() == null
				? Math.min(action.requestedDuration(), policy.maxDurationSeconds()) : review.approvedDurationSeconds();
		int longest = Math.min(action.requestedDuration(), policy.maxDurationSeconds());
		if (duration < AgentActionRequest.MIN_DURATION_SECONDS || duration > longest) {
			throw new InvalidDecisionException("shorten-only", "the approved duration must be from "
					+ AgentActionRequest.MIN_DURATION_SECONDS + " to " + longest
					+ " seconds: a reviewer may shorten the request, never lengthen it past it or the policy");
		}
		List<String> scope;
		try {
			scope = review.approvedScope() == null ? action.scopeTokens()
					: AgentActionRequest.scopeTokens(review.approvedScope(), "approvedScope");
		}
		catch (ApiException ex) {
			throw new InvalidDecisionException("narrow-only", ex.getMessage());
		}
		if (!new HashSet<>(action.scopeTokens()).containsAll(scope)) {
			List<String> added = scope.stream().filter(token -> !action.scopeTokens().contains(token)).toList();
			throw new InvalidDecisionException("narrow-only",
					"the approved scope may only drop requested scopes; " + added + " were not requested");
		}
		String grantRequest = grantRequest(action, review, policy);
		String approvedHash = requestHash(action.accountId(), action.agent(), action.tool(), action.argumentsJson(),
				action.purpose(), scope, duration);
		this.store.decide(action.id(), reviewer, reason, String.join(" ", scope), duration, approvedHash, null,
				grantRequest, now());
		return true;
	}

	/** Validates the standing grant the reviewer asked for, if any; {@code null} when none. */
	private String grantRequest(AgentAction action, Review review, ToolPolicyDecision policy) {
		String kindName = review.standingGrant() == null ? "NONE" : review.standingGrant().strip().toUpperCase();
		if (kindName.isEmpty() || kindName.equals("NONE")) {
			return null;
		}
		GrantKind kind;
		try {
			kind = GrantKind.valueOf(kindName);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidDecisionException("standing-grant",
					"standingGrant must be NONE, EXACT_ARGUMENTS, ARGUMENT_PATTERN or TOOL");
		}
		if (!kind.within(policy.standingGrants())) {
			throw new InvalidDecisionException("standing-grant-forbidden", "the policy (" + policy.rule()
					+ ") allows " + (policy.standingGrants() == null ? "no standing grants"
							: "standing grants up to " + policy.standingGrants())
					+ " for " + action.tool());
		}
		int days = review.grantDays() == null ? Math.min(7, policy.maxGrantDays()) : review.grantDays();
		if (days < 1 || days > policy.maxGrantDays()) {
			throw new InvalidDecisionException("grant-ttl",
					"a standing grant lasts from 1 to " + policy.maxGrantDays() + " days");
		}
		String pattern = null;
		if (kind == GrantKind.ARGUMENT_PATTERN) {
			ArgumentPattern parsed;
			try {
				parsed = ArgumentPattern.parse(review.grantPattern());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidDecisionException("grant-pattern", ex.getMessage());
			}
			if (!parsed.matches(arguments(action))) {
				throw new InvalidDecisionException("grant-pattern",
						"the argument pattern does not match the call being approved");
			}
			if (parsed.anyValue() && !GrantKind.TOOL.within(policy.standingGrants())) {
				throw new InvalidDecisionException("standing-grant-forbidden",
						"a pattern that accepts any value is a grant of the whole tool, which the policy forbids");
			}
			pattern = parsed.json();
		}
		ObjectNode request = MAPPER.createObjectNode();
		request.put("kind", kind.name());
		request.put("days", days);
		if (pattern != null) {
			request.put("pattern", pattern);
		}
		return request.toString();
	}

	/**
	 * Issues the receipt for the request as approved, valid for the approved duration, and creates the standing
	 * grant the reviewer asked for.
	 * @return when the access ends
	 */
	Instant grantAccess(String id) {
		AgentAction action = this.store.lock(id).orElseThrow(() -> new IllegalStateException("no agent action " + id));
		if (action.status() != AgentActionStatus.PENDING || action.approvedHash() == null) {
			throw new IllegalStateException("agent action " + id + " is " + action.status() + ", not approved");
		}
		Map<String, Object> claims = new LinkedHashMap<>();
		claims.put("tool", action.tool());
		claims.put("agent", action.agent());
		claims.put("accountId", action.accountId());
		claims.put("scope", action.approvedScope());
		claims.put("requestHash", action.approvedHash());
		if (action.grantId() != null) {
			claims.put("grant", action.grantId());
		}
		IssuedReceipt receipt = this.receipts.issue(new ReceiptRequest(id, action.argumentsHash(),
				List.of(action.decidedBy()), action.grantId() != null ? "standing-grant" : action.policyRule(),
				Duration.ofSeconds(action.approvedDuration()), claims));
		Instant now = now();
		if (!this.store.approve(id, receipt.id(), receipt.token(), receipt.expiresAt(), now)) {
			throw new IllegalStateException("agent action " + id + " changed while access was granted");
		}
		this.ledger.append(id, "AGENT_ACCESS_GRANTED", action.decidedBy(),
				"access to " + action.tool() + " granted to " + action.agent() + " until " + receipt.expiresAt()
						+ (action.edited() ? " (edited by the reviewer)" : ""),
				data("receiptId", receipt.id(), "expiresAt", receipt.expiresAt().toString(), "approvedScope",
						action.approvedScope(), "approvedDurationSeconds", action.approvedDuration(), "requestHash",
						action.approvedHash(), "edited", action.edited(), "grant", action.grantId()));
		if (action.grantRequest() != null) {
			createGrant(this.store.find(id).orElseThrow(), now);
		}
		this.waiters.changedAfterCommit(id);
		return receipt.expiresAt();
	}

	private void createGrant(AgentAction action, Instant now) {
		JsonNode request;
		try {
			request = MAPPER.readTree(action.grantRequest());
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("unreadable grant request of " + action.id(), ex);
		}
		StandingGrants.Spec spec = new StandingGrants.Spec(GrantKind.valueOf(request.get("kind").asText()),
				request.hasNonNull("pattern") ? request.get("pattern").asText() : null, request.get("days").asInt());
		StandingGrant grant = this.grants.create(action, spec, action.decidedBy(), action.decisionReason(), now);
		this.ledger.append(grant.id(), "AGENT_GRANT_CREATED", action.decidedBy(),
				"standing grant of kind " + grant.kind() + " on " + grant.tool() + " for agent " + grant.agent()
						+ " of " + grant.accountId() + " until " + grant.expiresAt(),
				data("sourceAction", action.id(), "kind", grant.kind().name(), "tool", grant.tool(), "agent",
						grant.agent(), "accountId", grant.accountId(), "pattern", grant.patternJson(),
						"argumentsHash", grant.argumentsHash(), "scope", grant.scope(), "expiresAt",
						grant.expiresAt().toString()));
	}

	void deny(String id) {
		AgentAction action = find(id);
		end(action, AgentActionStatus.PENDING, AgentActionStatus.DENIED, action.decidedBy(), action.decisionReason(),
				"AGENT_ACTION_DENIED");
	}

	void expire(String id, String timeout) {
		end(find(id), AgentActionStatus.PENDING, AgentActionStatus.EXPIRED, "timer",
				"nobody decided within " + timeout + "; an expired request is denied", "AGENT_ACTION_EXPIRED");
	}

	/** Ends an approved access; {@code revokedBy} is {@code null} when the approved duration ran out. */
	void endAccess(String id, String revokedBy, String reason) {
		AgentAction action = find(id);
		if (revokedBy == null) {
			end(action, AgentActionStatus.APPROVED, AgentActionStatus.REVOKED, "timer",
					"the approved " + action.approvedDuration() + " s elapsed", "AGENT_ACCESS_REVOKED");
		}
		else {
			end(action, AgentActionStatus.APPROVED, AgentActionStatus.REVOKED, revokedBy, reason,
					"AGENT_ACCESS_REVOKED");
		}
	}

	private void end(AgentAction action, AgentActionStatus from, AgentActionStatus to, String by, String reason,
			String ledgerType) {
		if (!this.store.end(action.id(), from, to, by, reason, now())) {
			// Another path got there first (a revocation as the timer fired): the first change stands.
			log.info("Agent action {} was no longer {} when it was to become {}", action.id(), from, to);
			return;
		}
		this.ledger.append(action.id(), ledgerType, by, to + ": " + reason,
				data("status", to.name(), "tool", action.tool(), "agent", action.agent()));
		this.waiters.changedAfterCommit(action.id());
	}

	// ---- revoking -----------------------------------------------------------------------------------------

	/** Ends an approved access before its time. Revoking is the safe direction, so it needs no second person. */
	@Transactional
	public AgentAction revoke(String id, String user, String reason) {
		AgentAction action = find(id);
		if (action.status() != AgentActionStatus.APPROVED) {
			throw new ApiException(HttpStatus.CONFLICT,
					"agent action " + id + " is " + action.status() + "; only APPROVED access can be revoked");
		}
		WithoutAuthorization.call(() -> {
			this.runtimeService.createMessageCorrelation(AgentToolAccessProcess.MESSAGE_REVOKE)
				.processInstanceBusinessKey(id)
				.setVariable(AgentToolAccessProcess.REVOKED_BY, user)
				.setVariable(AgentToolAccessProcess.REVOKE_REASON, reason)
				.correlate();
			return null;
		});
		return find(id);
	}

	/** Revokes the grant and every access it approved that is still running. */
	@Transactional
	public StandingGrant revokeGrant(String grantId, String user, String reason) {
		StandingGrant grant = this.grants.find(grantId)
			.orElseThrow(() -> new NotFoundException("standing grant '" + grantId + "' does not exist"));
		if (!this.grants.revoke(grantId, user, reason, now())) {
			throw new ApiException(HttpStatus.CONFLICT, "standing grant " + grantId + " was already revoked");
		}
		List<String> running = this.store.approvedUnderGrant(grantId);
		this.ledger.append(grantId, "AGENT_GRANT_REVOKED", user, "standing grant revoked: " + reason,
				data("tool", grant.tool(), "agent", grant.agent(), "accountId", grant.accountId(), "accessRevoked",
						running));
		running.forEach(actionId -> revoke(actionId, user, "its standing grant " + grantId + " was revoked: "
				+ reason));
		return this.grants.find(grantId).orElseThrow();
	}

	// ---- using --------------------------------------------------------------------------------------------

	/** A tool server's report that it is about to execute the call the receipt approved. */
	record UseReport(String receipt, String tool, JsonNode arguments, Boolean singleUse) {
	}

	/** Why a reported use was refused, in the words a {@link ToolCallVerifier} passes on. */
	public static final class UseRefusedException extends RuntimeException {

		private final String reason;

		UseRefusedException(String reason, String message) {
			super(message);
			this.reason = reason;
		}

		public String reason() {
			return this.reason;
		}

	}

	/**
	 * Verifies the receipt for this call, checks the access is still granted, and records the use; a single use
	 * spends the receipt so that no second call gets through.
	 * @throws UseRefusedException when the call must not run
	 */
	@Transactional(noRollbackFor = UseRefusedException.class)
	public int reportUse(String id, String reporter, UseReport report) {
		// Uses of one action take turns, so a report cannot slip past a single use spending the receipt concurrently.
		AgentAction action = this.store.lock(id)
			.orElseThrow(() -> new NotFoundException("agent action '" + id + "' does not exist"));
		if (report.tool() == null || report.arguments() == null || report.receipt() == null) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "receipt, tool and arguments are required");
		}
		String tool;
		try {
			tool = ToolCallVerifier.normalizeToolName(report.tool());
		}
		catch (IllegalArgumentException ex) {
			throw new ApiException(HttpStatus.BAD_REQUEST, ex.getMessage(), "tool");
		}
		String fingerprint;
		try {
			fingerprint = ToolCallVerifier.argumentsHash(tool, report.arguments().toString());
		}
		catch (IllegalArgumentException ex) {
			throw new ApiException(HttpStatus.BAD_REQUEST, ex.getMessage(), "arguments");
		}
		boolean singleUse = Boolean.TRUE.equals(report.singleUse());
		try {
			if (action.status() != AgentActionStatus.APPROVED) {
				throw new UseRefusedException(action.status() == AgentActionStatus.REVOKED ? "revoked" : "not-approved",
						"agent action " + id + " is " + action.status());
			}
			if (singleUse) {
				this.receiptVerifier.verifyAndConsume(report.receipt(), id, fingerprint, USE_CONSUMER_PREFIX + reporter);
			}
			else {
				this.receiptVerifier.verifyUnspent(report.receipt(), id, fingerprint);
			}
		}
		catch (ReceiptRejectedException ex) {
			refuseUse(action, reporter, ex.reason(), ex.getMessage());
			throw new UseRefusedException(ex.reason(), ex.getMessage());
		}
		catch (UseRefusedException ex) {
			refuseUse(action, reporter, ex.reason(), ex.getMessage());
			throw ex;
		}
		this.store.countUse(id, now());
		int uses = action.useCount() + 1;
		this.ledger.append(id, "AGENT_TOOL_USED", reporter,
				action.tool() + " called by " + action.agent() + (singleUse ? " (receipt spent)" : "") + ", use "
						+ uses,
				data("tool", action.tool(), "singleUse", singleUse, "use", uses));
		return uses;
	}

	private void refuseUse(AgentAction action, String reporter, String reason, String message) {
		this.ledger.appendIndependently(action.id(), "AGENT_USE_REFUSED", reporter, message,
				data("reason", reason, "tool", action.tool()));
	}

	// ---- reading ------------------------------------------------------------------------------------------

	AgentAction find(String id) {
		return this.store.find(id).orElseThrow(() -> new NotFoundException("agent action '" + id + "' does not exist"));
	}

	Optional<AgentAction> findOptional(String id) {
		return this.store.find(id);
	}

	List<StandingGrant> grants(String accountId, boolean activeOnly, int limit) {
		return this.grants.list(accountId, activeOnly, now(), limit);
	}

	Optional<StandingGrant> grant(String id) {
		return this.grants.find(id);
	}

	Instant now() {
		return this.clock.instant();
	}

	private AgentAction pending(String id) {
		AgentAction action = find(id);
		if (action.status() != AgentActionStatus.PENDING) {
			throw new IllegalStateException("agent action " + id + " is " + action.status() + ", not PENDING");
		}
		return action;
	}

	private static JsonNode arguments(AgentAction action) {
		try {
			return MAPPER.readTree(action.argumentsJson());
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("stored arguments of " + action.id() + " are not JSON", ex);
		}
	}

	static String display(String argumentsJson) {
		if (argumentsJson.length() <= AgentToolAccessProcess.MAX_DISPLAY_LENGTH) {
			return argumentsJson;
		}
		return argumentsJson.substring(0, AgentToolAccessProcess.MAX_DISPLAY_LENGTH - 80)
				+ " ... (truncated; GET /api/v1/agent-actions/{id} shows all " + argumentsJson.length() + " characters)";
	}

	/**
	 * sha256 over the canonical JSON of the whole request: what a reviewer approves. A shortened duration or a
	 * narrowed scope gives another hash, so the receipt says which version was approved.
	 */
	static String requestHash(String accountId, String agent, String tool, String argumentsJson, String purpose,
			List<String> scope, int durationSeconds) {
		ObjectNode request = MAPPER.createObjectNode();
		request.put("accountId", accountId);
		request.put("agent", agent);
		request.put("tool", tool);
		try {
			request.set("arguments", MAPPER.readTree(argumentsJson));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("arguments are not JSON", ex);
		}
		request.put("purpose", purpose);
		request.put("scope", String.join(" ", scope));
		request.put("durationSeconds", durationSeconds);
		return StagedAction.sha256(ToolCallVerifier.canonicalJson(request.toString()));
	}

	private static Map<String, Object> data(Object... keysAndValues) {
		Map<String, Object> data = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			if (keysAndValues[i + 1] != null) {
				data.put((String) keysAndValues[i], keysAndValues[i + 1]);
			}
		}
		return data;
	}

}
