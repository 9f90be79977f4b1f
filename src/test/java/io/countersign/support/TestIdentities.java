package io.countersign.support;

import java.util.List;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;

/** Engine authentication as a given user, with that user's groups as stored. */
public final class TestIdentities {

	private TestIdentities() {
	}

	/** Creates a user (password = id) in these groups, unless it exists already: test classes share an engine. */
	public static void user(IdentityService identityService, String id, String... groups) {
		if (identityService.createUserQuery().userId(id).count() > 0) {
			return;
		}
		User user = identityService.newUser(id);
		user.setFirstName(id);
		user.setLastName("Test");
		user.setPassword(id);
		identityService.saveUser(user);
		for (String group : groups) {
			identityService.createMembership(id, group);
		}
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
