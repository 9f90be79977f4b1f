package io.countersign.gate;

import java.util.Optional;

import io.countersign.inventory.Identity;
import io.countersign.response.ResponseRecord;
import io.countersign.response.Responses;
import io.countersign.security.Groups;
import org.camunda.bpm.engine.IdentityService;

import org.springframework.stereotype.Component;

/**
 * Who may never approve an action, whatever groups they are in. Checked when a decision is submitted and again
 * when the quorum is counted before apply, so a rule added later also discounts approvals given earlier.
 */
@Component
class SeparationOfDuties {

	private final IdentityService identityService;

	private final Responses responses;

	private final ApprovalProperties.SeparationOfDuties properties;

	SeparationOfDuties(IdentityService identityService, Responses responses, ApprovalProperties properties) {
		this.identityService = identityService;
		this.responses = responses;
		this.properties = properties.separationOfDuties();
	}

	record Exclusion(String rule, String message) {
	}

	Optional<Exclusion> exclusion(String user, ResponseRecord response, Identity identity) {
		// Machines report and ask; a compromised agent in an approver group by mistake must still not approve.
		if (WithoutAuthorization.groupsOf(this.identityService, user).contains(Groups.AGENTS)) {
			return Optional.of(new Exclusion("agent-never-approves",
					"user '" + user + "' is an agent account; agent accounts never approve"));
		}
		// A detection that joined the response asks for the same action as the first one: its author is a requester
		// too, read from the detections table rather than the process, whose variables an engine user may change.
		if (user.equals(response.requestedBy()) || this.responses.requesters(response.id()).contains(user)) {
			return Optional.of(new Exclusion("not-requester",
					"user '" + user + "' requested this response (or joined a detection to it) and cannot decide it"));
		}
		if (identity == null && !ModelChangeApproval.concerns(response)) {
			return Optional.of(new Exclusion("known-identity",
					"identity '" + response.identity() + "' is no longer in the inventory"));
		}
		if (identity == null) {
			// A change to Countersign's own models: no inventory owner or credential creator to keep out.
			return excluded(user);
		}
		if (user.equals(identity.owner()) && isPersonUser(identity.owner())) {
			return Optional.of(new Exclusion("not-identity-owner",
					"user '" + user + "' owns identity '" + identity.id() + "' and cannot approve actions on it"));
		}
		if (this.properties.credentialCreator() && response.credential() != null) {
			Identity.Credential credential = identity.credential(response.credential());
			if (credential != null && user.equals(credential.createdBy())) {
				return Optional.of(new Exclusion("not-credential-creator", "user '" + user + "' created credential '"
						+ credential.id() + "' and cannot approve actions on it"));
			}
		}
		return excluded(user);
	}

	private Optional<Exclusion> excluded(String user) {
		if (this.properties.excludedUsers().contains(user)) {
			return Optional.of(new Exclusion("excluded-approver",
					"user '" + user + "' is excluded from approving (countersign.approval.separation-of-duties)"));
		}
		return Optional.empty();
	}

	/** Owners are often teams; the rule is about a person judging their own identity. */
	private boolean isPersonUser(String id) {
		return WithoutAuthorization.call(() -> this.identityService.createUserQuery().userId(id).count() > 0);
	}

}
