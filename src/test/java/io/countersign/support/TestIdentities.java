package io.countersign.support;

import java.util.List;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;

/** Engine authentication as a given user, with that user's groups as stored. */
public final class TestIdentities {

	private TestIdentities() {
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
