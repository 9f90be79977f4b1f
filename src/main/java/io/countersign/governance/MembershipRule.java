package io.countersign.governance;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.stereotype.Component;

/**
 * Separation of duties over time: an approval counts only from someone whose membership in an approving group existed
 * before the request was created and was granted neither by one of its requesters nor by themselves. Otherwise
 * whoever can add members (an administrator, or a requester who is one) could create the approvers a request needs
 * after seeing it, or make themselves an approver of everything to come.
 */
@Component
public class MembershipRule {

	public static final String RULE = "membership-predates-request";

	private final MembershipGrants grants;

	MembershipRule(MembershipGrants grants) {
		this.grants = grants;
	}

	/**
	 * Why {@code user}'s memberships in {@code approvingGroups} cannot count for a request created at
	 * {@code requestedAt}, or empty when at least one of them can.
	 */
	public Optional<String> refusal(String user, Set<String> approvingGroups, Set<String> memberships,
			Instant requestedAt, Set<String> requesters) {
		Set<String> reasons = new TreeSet<>();
		for (String group : approvingGroups) {
			if (!memberships.contains(group)) {
				continue;
			}
			Optional<MembershipGrants.Grant> grant = this.grants.find(user, group);
			if (grant.isEmpty()) {
				return Optional.empty();
			}
			boolean before = grant.get().grantedAt().isBefore(requestedAt);
			boolean byRequester = grant.get().grantedBy() != null && requesters.contains(grant.get().grantedBy());
			boolean bySelf = user.equals(grant.get().grantedBy());
			if (before && !byRequester && !bySelf) {
				return Optional.empty();
			}
			reasons.add(group + (before ? "" : " was granted at " + grant.get().grantedAt() + ", after the request")
					+ (byRequester ? " was granted by requester " + grant.get().grantedBy() : "")
					+ (bySelf && !byRequester ? " was granted by " + user + " themselves" : ""));
		}
		return Optional.of("user '" + user + "' may not count: membership in " + String.join("; ", reasons)
				+ " (request created at " + requestedAt + ")");
	}

}
