package io.countersign.governance;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import io.countersign.audit.Ledger;

import org.springframework.stereotype.Component;

/**
 * Writes identity, authorization and deployment changes to the decision ledger. Entries of one user, group,
 * authorization or deployment share a subject derived from its kind and id, so {@code GET /api/v1/audit?response=}
 * with {@link #subject} lists its history; the whole ledger lists them all.
 */
@Component
class GovernanceLedger {

	private final Ledger ledger;

	private final MembershipGrants grants;

	private final Clock clock;

	GovernanceLedger(Ledger ledger, MembershipGrants grants, Clock clock) {
		this.ledger = ledger;
		this.grants = grants;
		this.clock = clock;
	}

	/**
	 * A name-based (version 3) UUID: never the id of a response or an agent action (random, version 4), so a chosen user
	 * or group name cannot write into another subject's trail.
	 */
	static String subject(String kind, String id) {
		return UUID.nameUUIDFromBytes(("countersign:" + kind + ":" + id).getBytes(StandardCharsets.UTF_8)).toString();
	}

	void record(String kind, String id, String type, String actor, String detail, Map<String, ?> data) {
		this.ledger.append(subject(kind, id), type, actor == null ? "system" : actor, detail, data);
	}

	void membershipGranted(String userId, String groupId, String actor) {
		this.grants.granted(userId, groupId, this.clock.instant(), actor);
		record("group", groupId, "MEMBERSHIP_GRANTED", actor, "Added " + userId + " to " + groupId,
				Map.of("user", userId, "group", groupId));
	}

	void membershipRevoked(String userId, String groupId, String actor) {
		this.grants.revoked(userId, groupId);
		record("group", groupId, "MEMBERSHIP_REVOKED", actor, "Removed " + userId + " from " + groupId,
				Map.of("user", userId, "group", groupId));
	}

	void userDeleted(String userId, String actor) {
		this.grants.userDeleted(userId);
		record("user", userId, "USER_DELETED", actor, "Deleted user " + userId, Map.of("user", userId));
	}

	void groupDeleted(String groupId, String actor) {
		this.grants.groupDeleted(groupId);
		record("group", groupId, "GROUP_DELETED", actor, "Deleted group " + groupId, Map.of("group", groupId));
	}

}
