package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the bootstrap against a standalone in-memory engine with authorization checks on, and then acts as the
 * users it created, so the grants are tested by what they allow rather than by how they are stored.
 */
class IdentityBootstrapTest {

	private static final String PROCESS_KEY = "PlatformApproval";

	private ProcessEngine engine;

	@AfterEach
	void closeEngine() {
		if (this.engine != null) {
			this.engine.close();
		}
	}

	@Test
	void shouldCreateGroupsButNoUsersWhenDemoIsOff() {
		startEngine(false);

		List<Group> groups = identities().createGroupQuery().list();

		assertThat(groups).extracting(Group::getId)
			.containsExactlyInAnyOrder(Groups.INTEGRATORS, Groups.SECOPS_ANALYSTS, Groups.PLATFORM_OWNERS,
					Groups.ACCESS_OWNERS, Groups.SECURITY_LEADS, Groups.AGENT_REVIEWERS, Groups.AUDITORS, Groups.AGENTS,
					Groups.TOOL_SERVERS);
		assertThat(groups).extracting(Group::getType).containsOnly("WORKFLOW");
		assertThat(identities().createUserQuery().count()).isZero();
	}

	@Test
	void shouldCreateDemoUsersWithPasswordEqualToUserIdWhenDemoIsOn() {
		startEngine(true);

		assertThat(identities().checkPassword("alice", "alice")).isTrue();
		assertThat(identities().createUserQuery().memberOfGroup(Groups.SECOPS_ANALYSTS).singleResult().getId())
			.isEqualTo("alice");
		assertThat(identities().createUserQuery().memberOfGroup(Groups.INTEGRATORS).singleResult().getId())
			.isEqualTo("scanner");
		assertThat(identities().createUserQuery().memberOfGroup(Groups.AUDITORS).singleResult().getId())
			.isEqualTo("audrey");
		assertThat(identities().checkPassword("audrey", "audrey")).isTrue();
		// Two platform owners, so a two-person approval can be tried out of the box.
		assertThat(identities().createUserQuery().memberOfGroup(Groups.PLATFORM_OWNERS).list())
			.extracting(org.camunda.bpm.engine.identity.User::getId)
			.containsExactlyInAnyOrder("bob", "paul");
		// Service accounts carry hyphenated names, as the services they stand for do.
		assertThat(identities().createUserQuery().memberOfGroup(Groups.AGENTS).singleResult().getId())
			.isEqualTo("research-bot");
		assertThat(identities().checkPassword("research-bot", "research-bot")).isTrue();
		assertThat(identities().createUserQuery().memberOfGroup(Groups.TOOL_SERVERS).singleResult().getId())
			.isEqualTo("tool-server");
		assertThat(identities().createUserQuery().count()).isEqualTo(10);
	}

	@Test
	void shouldChangeNothingWhenRunAgain() {
		IdentityBootstrap bootstrap = startEngine(true);
		List<String> before = snapshot();

		bootstrap.postProcessEngineBuild(this.engine);

		assertThat(snapshot()).isEqualTo(before);
		assertThat(this.engine.getFilterService()
			.createFilterQuery()
			.filterName(IdentityBootstrap.APPROVALS_FILTER)
			.count()).isOne();
	}

	@Test
	void shouldGiveTasklistAccessToApproversOnly() {
		startEngine(true);
		AuthorizationService authorizations = this.engine.getAuthorizationService();

		for (String approvers : Groups.APPROVER_GROUPS) {
			assertThat(authorizations.isUserAuthorized("someone", List.of(approvers), Permissions.ACCESS,
					Resources.APPLICATION, "tasklist"))
				.as(approvers)
				.isTrue();
		}
		assertThat(authorizations.isUserAuthorized("scanner", List.of(Groups.INTEGRATORS), Permissions.ACCESS,
				Resources.APPLICATION, "tasklist"))
			.isFalse();
	}

	@Test
	void shouldLetOnlyCandidateGroupSeeAndCompleteItsTaskThroughTheFilter() {
		startEngine(true);
		deployApprovalProcess();
		this.engine.getRuntimeService().startProcessInstanceByKey(PROCESS_KEY);
		String filterId = this.engine.getFilterService()
			.createFilterQuery()
			.filterName(IdentityBootstrap.APPROVALS_FILTER)
			.singleResult()
			.getId();

		List<Task> aliceTasks = as("alice", () -> this.engine.getFilterService().list(filterId));
		List<Task> bobTasks = as("bob", () -> this.engine.getFilterService().list(filterId));
		String taskId = bobTasks.get(0).getId();

		assertThat(aliceTasks).isEmpty();
		assertThat(bobTasks).hasSize(1);
		assertThatThrownBy(() -> as("alice", () -> complete(taskId))).isInstanceOf(AuthorizationException.class);
		as("bob", () -> complete(taskId));
		assertThat(this.engine.getTaskService().createTaskQuery().taskId(taskId).count()).isZero();
	}

	@Test
	void shouldNotLetIntegratorsReadProcessesStartThemOrSeeTasks() {
		startEngine(true);
		deployApprovalProcess();
		this.engine.getRuntimeService().startProcessInstanceByKey(PROCESS_KEY);

		// Integrators read what they started through our API; engine processes and their variables are not theirs.
		assertThat(as("scanner", () -> this.engine.getRuntimeService().createProcessInstanceQuery().count())).isZero();
		assertThat(as("scanner", () -> this.engine.getHistoryService().createHistoricVariableInstanceQuery().count()))
			.isZero();
		assertThat(as("scanner", () -> this.engine.getTaskService().createTaskQuery().count())).isZero();
		assertThatThrownBy(
				() -> as("scanner", () -> this.engine.getRuntimeService().startProcessInstanceByKey(PROCESS_KEY)))
			.isInstanceOf(AuthorizationException.class);
	}

	@Test
	void shouldTakeBackBroadReadsAndTaskUpdateGrantedByEarlierVersions() {
		IdentityBootstrap bootstrap = startEngine(true);
		Authorization history = groupGrant(Groups.PLATFORM_OWNERS, Resources.PROCESS_DEFINITION, Permissions.READ,
				Permissions.READ_HISTORY);
		Authorization instances = groupGrant(Groups.INTEGRATORS, Resources.PROCESS_INSTANCE, Permissions.READ);
		Authorization taskUpdate = this.engine.getAuthorizationService()
			.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
		taskUpdate.setGroupId(Groups.PLATFORM_OWNERS);
		taskUpdate.setResource(Resources.TASK);
		taskUpdate.setResourceId("some-open-task");
		taskUpdate.addPermission(Permissions.READ);
		taskUpdate.addPermission(Permissions.UPDATE);
		this.engine.getAuthorizationService().saveAuthorization(taskUpdate);

		bootstrap.postProcessEngineBuild(this.engine);

		assertThat(reload(history).isPermissionGranted(Permissions.READ_HISTORY)).isFalse();
		assertThat(reload(history).isPermissionGranted(Permissions.READ)).isTrue();
		assertThat(reload(instances).isPermissionGranted(Permissions.READ)).isFalse();
		assertThat(reload(taskUpdate).isPermissionGranted(Permissions.UPDATE)).isFalse();
		assertThat(reload(taskUpdate).isPermissionGranted(Permissions.TASK_WORK)).isTrue();
		assertThat(reload(taskUpdate).isPermissionGranted(Permissions.READ)).isTrue();
	}

	private Authorization groupGrant(String group, Resources resource, Permission... permissions) {
		Authorization authorization = this.engine.getAuthorizationService()
			.createAuthorizationQuery()
			.authorizationType(Authorization.AUTH_TYPE_GRANT)
			.groupIdIn(group)
			.resourceType(resource)
			.resourceId(Authorization.ANY)
			.singleResult();
		if (authorization == null) {
			authorization = this.engine.getAuthorizationService().createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
			authorization.setGroupId(group);
			authorization.setResource(resource);
			authorization.setResourceId(Authorization.ANY);
		}
		for (Permission permission : permissions) {
			authorization.addPermission(permission);
		}
		return this.engine.getAuthorizationService().saveAuthorization(authorization);
	}

	@Test
	void shouldTakeDeploymentCreateBackFromAnyoneButCamundaAdmin() {
		IdentityBootstrap bootstrap = startEngine(true);
		AuthorizationService authorizations = this.engine.getAuthorizationService();
		Authorization integrators = grant(null, Groups.INTEGRATORS, Permissions.CREATE, Permissions.READ);
		Authorization bob = grant("bob", null, Permissions.ALL);
		Authorization admins = grant(null, Groups.ADMIN, Permissions.ALL);

		bootstrap.postProcessEngineBuild(this.engine);

		assertThat(reload(integrators).isPermissionGranted(Permissions.CREATE)).isFalse();
		assertThat(reload(integrators).isPermissionGranted(Permissions.READ)).isTrue();
		assertThat(reload(bob).isPermissionGranted(Permissions.CREATE)).isFalse();
		assertThat(reload(admins).isEveryPermissionGranted()).isTrue();
		assertThat(authorizations.isUserAuthorized("scanner", List.of(Groups.INTEGRATORS), Permissions.CREATE,
				Resources.DEPLOYMENT))
			.isFalse();
		assertThatThrownBy(() -> as("scanner", this::deployApprovalProcess)).isInstanceOf(AuthorizationException.class);
	}

	private IdentityBootstrap startEngine(boolean demo) {
		String name = "bootstrap-" + UUID.randomUUID();
		IdentityBootstrap bootstrap = new IdentityBootstrap(new DemoProperties(demo));
		ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) ProcessEngineConfiguration
			.createStandaloneInMemProcessEngineConfiguration()
			.setJdbcUrl("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=1000")
			.setProcessEngineName(name)
			.setJobExecutorActivate(false)
			.setHistory(ProcessEngineConfiguration.HISTORY_FULL);
		configuration.setAuthorizationEnabled(true);
		configuration.getProcessEnginePlugins().add(bootstrap);
		this.engine = configuration.buildProcessEngine();
		return bootstrap;
	}

	private IdentityService identities() {
		return this.engine.getIdentityService();
	}

	private String deployApprovalProcess() {
		return this.engine.getRepositoryService()
			.createDeployment()
			.addModelInstance(PROCESS_KEY + ".bpmn", Bpmn.createExecutableProcess(PROCESS_KEY)
				.camundaHistoryTimeToLive(1)
				.startEvent()
				.userTask("Task_ApproveOnPlatform")
				.camundaCandidateGroups(Groups.PLATFORM_OWNERS)
				.endEvent()
				.done())
			.deploy()
			.getId();
	}

	private Void complete(String taskId) {
		this.engine.getTaskService().complete(taskId);
		return null;
	}

	/** Runs the call as the user with their groups, as EngineAuthenticationFilter does for engine REST calls. */
	private <T> T as(String userId, Supplier<T> call) {
		List<String> groupIds = identities().createGroupQuery()
			.groupMember(userId)
			.list()
			.stream()
			.map(Group::getId)
			.toList();
		identities().setAuthentication(userId, groupIds);
		try {
			return call.get();
		}
		finally {
			identities().clearAuthentication();
		}
	}

	private Authorization grant(String userId, String groupId, Permission... permissions) {
		AuthorizationService authorizations = this.engine.getAuthorizationService();
		Authorization authorization = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
		authorization.setUserId(userId);
		authorization.setGroupId(groupId);
		authorization.setResource(Resources.DEPLOYMENT);
		authorization.setResourceId(Authorization.ANY);
		for (Permission permission : permissions) {
			authorization.addPermission(permission);
		}
		return authorizations.saveAuthorization(authorization);
	}

	private Authorization reload(Authorization authorization) {
		return this.engine.getAuthorizationService()
			.createAuthorizationQuery()
			.authorizationId(authorization.getId())
			.singleResult();
	}

	private List<String> snapshot() {
		List<String> state = new ArrayList<>();
		this.engine.getAuthorizationService()
			.createAuthorizationQuery()
			.list()
			.forEach(a -> state.add(a.getId() + " " + a.getAuthorizationType() + " " + a.getUserId() + " "
					+ a.getGroupId() + " " + a.getResourceType() + " " + a.getResourceId() + " "
					+ List.of(a.getPermissions(Permissions.values()))));
		identities().createUserQuery().list().forEach(user -> state.add("user " + user.getId()));
		identities().createGroupQuery()
			.list()
			.forEach(group -> state.add("group " + group.getId() + " " + groupMembers(group.getId())));
		this.engine.getFilterService()
			.createFilterQuery()
			.list()
			.forEach(filter -> state.add("filter " + filter.getId()));
		state.sort(String::compareTo);
		return state;
	}

	private List<String> groupMembers(String groupId) {
		return identities().createUserQuery()
			.memberOfGroup(groupId)
			.list()
			.stream()
			.map(User::getId)
			.sorted()
			.toList();
	}

}
