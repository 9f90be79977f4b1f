package io.countersign.support;

import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;

/** Engine authentication as a given user, with that user's groups as stored. */
public final class TestIdentities {

	/** The README's demo users and their groups. */
	public static final Map<String, String> DEMO_USERS = Map.of("alice", "secops-analysts", "bob", "platform-owners",
			"carol", "access-owners", "dave", "security-leads", "erin", "agent-reviewers", "scanner", "integrators",
			"admin", "camunda-admin");

	private TestIdentities() {
	}

	/** Creates any demo user or group that is missing; the application normally did already. */
	public static void ensureDemoUsers(IdentityService identityService) {
		DEMO_USERS.forEach((userId, groupId) -> {
			if (identityService.createGroupQuery().groupId(groupId).count() == 0) {
				Group group = identityService.newGroup(groupId);
				group.setName(groupId);
				group.setType("WORKFLOW");
				identityService.saveGroup(group);
			}
			if (identityService.createUserQuery().userId(userId).count() == 0) {
				User user = identityService.newUser(userId);
				user.setPassword(userId);
				user.setFirstName(userId);
				user.setLastName("Demo");
				identityService.saveUser(user);
			}
			if (identityService.createUserQuery().userId(userId).memberOfGroup(groupId).count() == 0) {
				identityService.createMembership(userId, groupId);
			}
		});
	}

	public static void runAs(IdentityService identityService, String userId, Runnable action) {
		List<String> groups = identityService.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
		identityService.setAuthentication(userId, groups);
		try {
			action.run();
		}
		finally {
			identityService.clearAuthentication();
		}
	}

}
