package io.countersign.gate;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;

import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

/**
 * Runs an engine query on behalf of the gate rather than of whoever's command triggered it: an approver need not be
 * allowed to list groups, users or decision definitions for the gate to check them.
 */
public final class WithoutAuthorization {

	private WithoutAuthorization() {
	}

	/**
	 * Memberships as stored now, not as cached in a web session: a user removed from a group a minute ago cannot
	 * approve. Read without authorization checks, since a user need not be allowed to list groups to be in one.
	 */
	public static Set<String> groupsOf(IdentityService identityService, String user) {
		return call(() -> identityService.createGroupQuery().groupMember(user).list()).stream()
			.map(Group::getId)
			.collect(Collectors.toSet());
	}

	public static <T> T call(Callable<T> callable) {
		CommandContext context = Context.getCommandContext();
		if (context != null) {
			return context.runWithoutAuthorization(callable);
		}
		try {
			return callable.call();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
