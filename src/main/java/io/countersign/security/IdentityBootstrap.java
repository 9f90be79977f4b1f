package io.countersign.security;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Creates Countersign's groups, their authorizations, the Tasklist filters ({@link TasklistFilters}) and (demo only)
 * the demo users. Every step checks before it creates, so it runs on every start against an existing database. With a
 * read-only identity provider (profile {@code keycloak}) groups and users come from the provider and only the
 * authorizations and the filters are created.
 *
 * <p>It is a process engine plugin so that it runs as soon as the engine is built, before the web server accepts
 * requests and in every test context, and with no authenticated user, so the engine checks no authorizations.
 *
 * <p>Approvers get no task permission here on purpose: a candidate group link makes the engine grant that group READ
 * and {@code defaultUserPermissionForTask} on that one task, which Countersign sets to TASK_WORK (claim and complete,
 * never write variables: see {@code gate.SubmissionCapturePlugin}), so an analyst reads and decides exactly the tasks
 * of their groups. No group but camunda-admin reads process instances or history in the engine: our API shows each
 * role what it may see.
 */
@Component
class IdentityBootstrap extends AbstractProcessEnginePlugin {

	static final String APPROVALS_FILTER = TasklistFilters.APPROVALS;

	/** Alphanumeric words joined by single hyphens: "security-leads", "camunda-admin". */
	static final String GROUP_ID_PATTERN = "[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*";

	private static final Logger log = LoggerFactory.getLogger(IdentityBootstrap.class);

	private static final String TASKLIST = "tasklist";

	private static final Map<String, String> GROUP_NAMES = Map.of(Groups.INTEGRATORS, "Integrators",
			Groups.SECOPS_ANALYSTS, "SecOps analysts", Groups.PLATFORM_OWNERS, "Platform owners", Groups.ACCESS_OWNERS,
			"Access owners", Groups.SECURITY_LEADS, "Security leads", Groups.AGENT_REVIEWERS, "Agent reviewers",
			Groups.AUDITORS, "Auditors", Groups.AGENTS, "AI agents", Groups.TOOL_SERVERS, "Tool servers");

	private record DemoUser(String id, String firstName, String lastName, String groupId) {
	}

	private static final List<DemoUser> DEMO_USERS = List.of(
			new DemoUser("alice", "Alice", "Analyst", Groups.SECOPS_ANALYSTS),
			new DemoUser("bob", "Bob", "Platform", Groups.PLATFORM_OWNERS),
			new DemoUser("paul", "Paul", "Platform", Groups.PLATFORM_OWNERS),
			new DemoUser("carol", "Carol", "Access", Groups.ACCESS_OWNERS),
			new DemoUser("dave", "Dave", "Lead", Groups.SECURITY_LEADS),
			new DemoUser("erin", "Erin", "Reviewer", Groups.AGENT_REVIEWERS),
			new DemoUser("scanner", "Scanner", "Integration", Groups.INTEGRATORS),
			new DemoUser("audrey", "Audrey", "Auditor", Groups.AUDITORS),
			new DemoUser("research-bot", "Research", "Agent", Groups.AGENTS),
			new DemoUser("tool-server", "Tool", "Server", Groups.TOOL_SERVERS));

	private final DemoProperties demo;

	IdentityBootstrap(DemoProperties demo) {
		this.demo = demo;
	}

	/**
	 * Camunda accepts only alphanumeric ids (plus camunda-admin) unless told otherwise; our group ids are
	 * hyphenated. An explicitly configured pattern wins.
	 */
	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		String configured = configuration.getGroupResourceWhitelistPattern();
		if (configured == null || configured.isEmpty()) {
			configuration.setGroupResourceWhitelistPattern(GROUP_ID_PATTERN);
		}
		// Service accounts are named like the services they are: "research-bot".
		String configuredUsers = configuration.getUserResourceWhitelistPattern();
		if (configuredUsers == null || configuredUsers.isEmpty()) {
			configuration.setUserResourceWhitelistPattern(GROUP_ID_PATTERN);
		}
	}

	@Override
	public void postProcessEngineBuild(ProcessEngine engine) {
		IdentityService identities = engine.getIdentityService();
		AuthorizationService authorizations = engine.getAuthorizationService();
		if (identities.isReadOnly()) {
			// Users, groups and memberships live in the identity provider (profile keycloak); the authorizations
			// below name groups by id and live in the engine's database either way.
			log.info("Read-only identity provider: no groups or users created; they come from the provider");
		}
		else {
			GROUP_NAMES.forEach((groupId, name) -> createGroup(identities, groupId, name));
			if (this.demo.enabled()) {
				DEMO_USERS.forEach(user -> createDemoUser(identities, user));
			}
		}
		// The least Tasklist needs: open it, and name the process of a task. The tasks themselves, their forms and
		// their variables are readable through the candidate link of each task (READ and TASK_WORK on that task); no
		// approver reads other processes' variables, in runtime or history (an agent's tool-call arguments, say).
		for (String approvers : Groups.APPROVER_GROUPS) {
			grant(authorizations, approvers, Resources.APPLICATION, TASKLIST, Permissions.ACCESS);
			grant(authorizations, approvers, Resources.PROCESS_DEFINITION, Authorization.ANY, Permissions.READ);
		}
		// Integrators read what they started through /api/v1 only; they need nothing in the engine.
		for (String group : Stream.concat(Groups.APPROVER_GROUPS.stream(), Stream.of(Groups.INTEGRATORS)).toList()) {
			take(authorizations, group, Resources.PROCESS_DEFINITION, Permissions.READ_HISTORY);
			take(authorizations, group, Resources.PROCESS_INSTANCE, Permissions.READ);
		}
		if (!Groups.APPROVER_GROUPS.contains(Groups.INTEGRATORS)) {
			take(authorizations, Groups.INTEGRATORS, Resources.PROCESS_DEFINITION, Permissions.READ);
		}
		taskWorkInsteadOfUpdate(authorizations);
		for (String filterId : TasklistFilters.ensure(engine.getFilterService(), engine.getTaskService())) {
			Stream.concat(Groups.APPROVER_GROUPS.stream(), Stream.of(Groups.ADMIN))
				.forEach(groupId -> grant(authorizations, groupId, Resources.FILTER, filterId, Permissions.READ));
		}
		restrictDeploymentsToAdmins(authorizations);
	}

	private static void createGroup(IdentityService identities, String groupId, String name) {
		if (identities.createGroupQuery().groupId(groupId).count() > 0) {
			return;
		}
		Group group = identities.newGroup(groupId);
		group.setName(name);
		group.setType(org.camunda.bpm.engine.authorization.Groups.GROUP_TYPE_WORKFLOW);
		identities.saveGroup(group);
		log.info("Created group {}", groupId);
	}

	private static void createDemoUser(IdentityService identities, DemoUser demoUser) {
		if (identities.createUserQuery().userId(demoUser.id()).count() == 0) {
			User user = identities.newUser(demoUser.id());
			user.setFirstName(demoUser.firstName());
			user.setLastName(demoUser.lastName());
			user.setEmail(demoUser.id() + "@countersign.invalid");
			user.setPassword(demoUser.id());
			identities.saveUser(user);
			log.warn("Created demo user {} with password = user id (countersign.demo.enabled is true)", demoUser.id());
		}
		if (identities.createUserQuery().userId(demoUser.id()).memberOfGroup(demoUser.groupId()).count() == 0) {
			identities.createMembership(demoUser.id(), demoUser.groupId());
		}
	}

	/** Adds the permissions to the group's GRANT on the resource, creating it if there is none. */
	private static void grant(AuthorizationService authorizations, String groupId, Resource resource,
			String resourceId, Permission... permissions) {
		Authorization authorization = authorizations.createAuthorizationQuery()
			.authorizationType(Authorization.AUTH_TYPE_GRANT)
			.groupIdIn(groupId)
			.resourceType(resource)
			.resourceId(resourceId)
			.singleResult();
		if (authorization == null) {
			authorization = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
			authorization.setGroupId(groupId);
			authorization.setResource(resource);
			authorization.setResourceId(resourceId);
		}
		else if (Arrays.stream(permissions).allMatch(authorization::isPermissionGranted)) {
			return;
		}
		for (Permission permission : permissions) {
			authorization.addPermission(permission);
		}
		authorizations.saveAuthorization(authorization);
	}

	/** Removes a permission from a group's grants on any resource id of that type, where an earlier version gave it. */
	private static void take(AuthorizationService authorizations, String groupId, Resource resource,
			Permission permission) {
		for (Authorization authorization : authorizations.createAuthorizationQuery()
			.authorizationType(Authorization.AUTH_TYPE_GRANT)
			.groupIdIn(groupId)
			.resourceType(resource)
			.hasPermission(permission)
			.list()) {
			authorization.removePermission(permission);
			authorizations.saveAuthorization(authorization);
			log.warn("Took {} on {} back from group {} (least privilege)", permission.getName(),
					resource.resourceName(), groupId);
		}
	}

	/**
	 * Tasks created before candidates got TASK_WORK instead of UPDATE still carry UPDATE, which lets a co-approver
	 * write variables on them. Open tasks are few; each grant is rewritten once.
	 */
	private static void taskWorkInsteadOfUpdate(AuthorizationService authorizations) {
		for (Authorization authorization : authorizations.createAuthorizationQuery()
			.authorizationType(Authorization.AUTH_TYPE_GRANT)
			.resourceType(Resources.TASK)
			.hasPermission(Permissions.UPDATE)
			.list()) {
			if (Authorization.ANY.equals(authorization.getResourceId())) {
				continue;
			}
			authorization.removePermission(Permissions.UPDATE);
			authorization.addPermission(Permissions.TASK_WORK);
			authorizations.saveAuthorization(authorization);
		}
	}

	/**
	 * A deployment is code execution inside the engine (expressions, listeners, scripts), so only camunda-admin may
	 * deploy. Grants made by hand in Admin are taken back here on the next start.
	 */
	private static void restrictDeploymentsToAdmins(AuthorizationService authorizations) {
		List<Authorization> deployers = authorizations.createAuthorizationQuery()
			.resourceType(Resources.DEPLOYMENT)
			.hasPermission(Permissions.CREATE)
			.list();
		for (Authorization authorization : deployers) {
			boolean grantsAccess = authorization.getAuthorizationType() != Authorization.AUTH_TYPE_REVOKE;
			boolean adminGroup = authorization.getAuthorizationType() == Authorization.AUTH_TYPE_GRANT
					&& Groups.ADMIN.equals(authorization.getGroupId());
			if (grantsAccess && !adminGroup) {
				authorization.removePermission(Permissions.CREATE);
				authorizations.saveAuthorization(authorization);
				log.warn("Revoked DEPLOYMENT CREATE from {} (only {} may deploy)", describe(authorization),
						Groups.ADMIN);
			}
		}
	}

	private static String describe(Authorization authorization) {
		if (authorization.getGroupId() != null) {
			return "group " + authorization.getGroupId();
		}
		return "user " + authorization.getUserId();
	}

}
