package io.countersign.governance;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.AuthorizationServiceImpl;
import org.camunda.bpm.engine.impl.IdentityServiceImpl;
import org.camunda.bpm.engine.impl.RepositoryServiceImpl;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.repository.DeploymentBuilderImpl;
import org.camunda.bpm.engine.repository.DeleteProcessDefinitionsSelectBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Installs the identity, authorization and repository services through which every channel (engine-rest, the Admin
 * webapp, startup code) changes who may do what, so that each change and its ledger entry commit together, with the
 * authenticated actor ({@code system} when nobody is authenticated, as at startup). Secrets never reach the ledger:
 * a saved user is recorded with whether its password changed, never the password.
 */
@Component
class GovernancePlugin extends AbstractProcessEnginePlugin {

	private final ObjectProvider<GovernanceLedger> ledger;

	private final ObjectProvider<PlatformTransactionManager> transactions;

	private final ObjectProvider<DeploymentRules> rules;

	GovernancePlugin(ObjectProvider<GovernanceLedger> ledger, ObjectProvider<PlatformTransactionManager> transactions,
			ObjectProvider<DeploymentRules> rules) {
		this.ledger = ledger;
		this.transactions = transactions;
		this.rules = rules;
	}

	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		Governed governed = new Governed(this.ledger, this.transactions, this.rules, () -> {
			Authentication authentication = configuration.getIdentityService().getCurrentAuthentication();
			return authentication == null ? null : authentication.getUserId();
		});
		configuration.setIdentityService(new GovernedIdentityService(governed));
		configuration.setAuthorizationService(new GovernedAuthorizationService(governed));
		configuration.setRepositoryService(new GovernedRepositoryService(governed));
	}

	/** Runs a change and its ledger entry in one transaction. */
	record Governed(ObjectProvider<GovernanceLedger> ledger, ObjectProvider<PlatformTransactionManager> transactions,
			ObjectProvider<DeploymentRules> rules, Supplier<String> actor) {

		<T> T change(Supplier<T> change, BiConsumer<GovernanceLedger, T> record) {
			return new TransactionTemplate(this.transactions.getObject()).execute(status -> {
				T result = change.get();
				record.accept(this.ledger.getObject(), result);
				return result;
			});
		}

		void change(Runnable change, Consumer<GovernanceLedger> record) {
			change(() -> {
				change.run();
				return Boolean.TRUE;
			}, (ledger, ignored) -> record.accept(ledger));
		}

		/** Records a refused change in a transaction of its own (the caller's fails), then refuses it. */
		void refuse(String kind, String id, String actor, String refusal, Map<String, ?> data) {
			TransactionTemplate own = new TransactionTemplate(this.transactions.getObject());
			own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			own.executeWithoutResult(status -> this.ledger.getObject().record(kind, id, "CHANGE_REFUSED", actor,
					refusal, data));
			throw DeploymentRules.refused(refusal);
		}

	}

	static final class GovernedIdentityService extends IdentityServiceImpl {

		private final Governed governed;

		GovernedIdentityService(Governed governed) {
			this.governed = governed;
		}

		@Override
		public void saveUser(User user, boolean skipPasswordPolicy) {
			String by = this.governed.actor().get();
			boolean exists = createUserQuery().userId(user.getId()).count() > 0;
			this.governed.change(() -> super.saveUser(user, skipPasswordPolicy),
					ledger -> ledger.record("user", user.getId(), exists ? "USER_UPDATED" : "USER_CREATED", by,
							(exists ? "Updated user " : "Created user ") + user.getId()
									+ (user.getPassword() != null ? " (password set)" : ""),
							Map.of("user", user.getId(), "passwordChanged", user.getPassword() != null)));
		}

		@Override
		public void saveGroup(Group group) {
			String by = this.governed.actor().get();
			boolean exists = createGroupQuery().groupId(group.getId()).count() > 0;
			this.governed.change(() -> super.saveGroup(group),
					ledger -> ledger.record("group", group.getId(), exists ? "GROUP_UPDATED" : "GROUP_CREATED", by,
							(exists ? "Updated group " : "Created group ") + group.getId(),
							Map.of("group", group.getId())));
		}

		@Override
		public void createMembership(String userId, String groupId) {
			String by = this.governed.actor().get();
			this.governed.change(() -> super.createMembership(userId, groupId),
					ledger -> ledger.membershipGranted(userId, groupId, by));
		}

		@Override
		public void deleteMembership(String userId, String groupId) {
			String by = this.governed.actor().get();
			this.governed.change(() -> super.deleteMembership(userId, groupId),
					ledger -> ledger.membershipRevoked(userId, groupId, by));
		}

		@Override
		public void deleteUser(String userId) {
			String by = this.governed.actor().get();
			this.governed.change(() -> super.deleteUser(userId), ledger -> ledger.userDeleted(userId, by));
		}

		@Override
		public void deleteGroup(String groupId) {
			String by = this.governed.actor().get();
			this.governed.change(() -> super.deleteGroup(groupId), ledger -> ledger.groupDeleted(groupId, by));
		}

		@Override
		public void unlockUser(String userId) {
			String by = this.governed.actor().get();
			this.governed.change(() -> super.unlockUser(userId), ledger -> ledger.record("user", userId,
					"USER_UNLOCKED", by, "Unlocked user " + userId, Map.of("user", userId)));
		}

	}

	static final class GovernedAuthorizationService extends AuthorizationServiceImpl {

		private final Governed governed;

		GovernedAuthorizationService(Governed governed) {
			this.governed = governed;
		}

		@Override
		public Authorization saveAuthorization(Authorization authorization) {
			String by = this.governed.actor().get();
			String refusal = this.governed.rules().getObject().grantRefusal(authorization);
			if (refusal != null) {
				this.governed.refuse("authorization", String.valueOf(authorization.getId()), by, refusal,
						describe(authorization));
			}
			boolean created = authorization.getId() == null;
			return this.governed.change(() -> super.saveAuthorization(authorization),
					(ledger, saved) -> ledger.record("authorization", saved.getId(),
							created ? "AUTHORIZATION_CREATED" : "AUTHORIZATION_UPDATED", by,
							(created ? "Created" : "Updated") + " authorization " + saved.getId() + " for "
									+ (saved.getGroupId() != null ? "group " + saved.getGroupId()
											: "user " + saved.getUserId()),
							describe(saved)));
		}

		@Override
		public void deleteAuthorization(String authorizationId) {
			String by = this.governed.actor().get();
			Authorization before = createAuthorizationQuery().authorizationId(authorizationId).singleResult();
			this.governed.change(() -> super.deleteAuthorization(authorizationId),
					ledger -> ledger.record("authorization", authorizationId, "AUTHORIZATION_DELETED", by,
							"Deleted authorization " + authorizationId,
							before == null ? Map.of("id", authorizationId) : describe(before)));
		}

		private static Map<String, Object> describe(Authorization authorization) {
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("id", String.valueOf(authorization.getId()));
			data.put("type", authorization.getAuthorizationType() == Authorization.AUTH_TYPE_GRANT ? "GRANT"
					: authorization.getAuthorizationType() == Authorization.AUTH_TYPE_REVOKE ? "REVOKE" : "GLOBAL");
			if (authorization.getUserId() != null) {
				data.put("user", authorization.getUserId());
			}
			if (authorization.getGroupId() != null) {
				data.put("group", authorization.getGroupId());
			}
			data.put("resourceType", authorization.getResourceType());
			data.put("resourceId", authorization.getResourceId());
			data.put("permissions", Arrays.stream(authorization.getPermissions(Permissions.values()))
				.map(Permission::getName)
				.toList());
			return data;
		}

	}

	static final class GovernedRepositoryService extends RepositoryServiceImpl {

		private final Governed governed;

		GovernedRepositoryService(Governed governed) {
			this.governed = governed;
		}

		@Override
		public DeploymentWithDefinitions deployWithResult(DeploymentBuilderImpl builder) {
			String by = this.governed.actor().get();
			String refusal = this.governed.rules().getObject().refusal(by, "Deploying models");
			if (refusal != null) {
				this.governed.refuse("deployment", String.valueOf(builder.getDeployment().getName()), by, refusal,
						Map.of("name", String.valueOf(builder.getDeployment().getName()), "resources",
								List.copyOf(builder.getResourceNames())));
			}
			CountersignedDeployment countersigned = CountersignedDeployment.current();
			return this.governed.change(() -> super.deployWithResult(builder), (ledger, deployment) -> {
				Map<String, Object> resources = new LinkedHashMap<>();
				for (String name : getDeploymentResourceNames(deployment.getId())) {
					resources.put(name, hash(deployment.getId(), name));
				}
				List<String> definitions = new ArrayList<>();
				if (deployment.getDeployedProcessDefinitions() != null) {
					deployment.getDeployedProcessDefinitions().forEach(d -> definitions.add(d.getId()));
				}
				if (deployment.getDeployedDecisionDefinitions() != null) {
					deployment.getDeployedDecisionDefinitions().forEach(d -> definitions.add(d.getId()));
				}
				Map<String, Object> data = new LinkedHashMap<>();
				data.put("deployment", deployment.getId());
				data.put("name", String.valueOf(deployment.getName()));
				data.put("resources", resources);
				data.put("definitions", definitions);
				String detail = "Deployment " + deployment.getId() + " '" + deployment.getName() + "' of "
						+ resources.size() + " resource(s), source " + deployment.getSource();
				if (countersigned != null) {
					data.putAll(countersigned(countersigned));
					detail += "; model change " + countersigned.changeId() + " requested by "
							+ countersigned.requestedBy() + ", approved by " + String.join(", ", countersigned.approvers());
				}
				ledger.record("deployment", deployment.getId(), "DEPLOYED", by, detail, data);
			});
		}

		@Override
		public void deleteDeployment(String deploymentId, boolean cascade, boolean skipCustomListeners,
				boolean skipIoMappings) {
			String by = this.governed.actor().get();
			String refusal = this.governed.rules().getObject().refusal(by, "Deleting deployment " + deploymentId);
			if (refusal != null) {
				this.governed.refuse("deployment", deploymentId, by, refusal, Map.of("deployment", deploymentId));
			}
			CountersignedDeployment countersigned = CountersignedDeployment.current();
			this.governed.change(() -> super.deleteDeployment(deploymentId, cascade, skipCustomListeners,
					skipIoMappings), ledger -> {
						Map<String, Object> data = new LinkedHashMap<>();
						data.put("deployment", deploymentId);
						data.put("cascade", cascade);
						if (countersigned != null) {
							data.putAll(countersigned(countersigned));
						}
						ledger.record("deployment", deploymentId, "UNDEPLOYED", by,
								"Deleted deployment " + deploymentId + (cascade ? " and its process instances" : ""),
								data);
					});
		}

		@Override
		public void deleteDeployment(String deploymentId) {
			deleteDeployment(deploymentId, false, false, false);
		}

		@Override
		public void deleteDeploymentCascade(String deploymentId) {
			deleteDeployment(deploymentId, true, false, false);
		}

		@Override
		public void deleteDeployment(String deploymentId, boolean cascade) {
			deleteDeployment(deploymentId, cascade, false, false);
		}

		@Override
		public void deleteDeployment(String deploymentId, boolean cascade, boolean skipCustomListeners) {
			deleteDeployment(deploymentId, cascade, skipCustomListeners, false);
		}

		@Override
		public void deleteProcessDefinition(String processDefinitionId, boolean cascade, boolean skipCustomListeners,
				boolean skipIoMappings) {
			refuseDefinitionDeletion(processDefinitionId);
			super.deleteProcessDefinition(processDefinitionId, cascade, skipCustomListeners, skipIoMappings);
		}

		@Override
		public void deleteProcessDefinition(String processDefinitionId) {
			deleteProcessDefinition(processDefinitionId, false, false, false);
		}

		@Override
		public void deleteProcessDefinition(String processDefinitionId, boolean cascade) {
			deleteProcessDefinition(processDefinitionId, cascade, false, false);
		}

		@Override
		public void deleteProcessDefinition(String processDefinitionId, boolean cascade, boolean skipCustomListeners) {
			deleteProcessDefinition(processDefinitionId, cascade, skipCustomListeners, false);
		}

		@Override
		public DeleteProcessDefinitionsSelectBuilder deleteProcessDefinitions() {
			refuseDefinitionDeletion("(by query)");
			return super.deleteProcessDefinitions();
		}

		/** Deleting the gate's definition would leave playbooks calling nothing; it changes the models like a deployment. */
		private void refuseDefinitionDeletion(String processDefinitionId) {
			String by = this.governed.actor().get();
			String refusal = this.governed.rules()
				.getObject()
				.refusal(by, "Deleting process definition " + processDefinitionId);
			if (refusal != null) {
				this.governed.refuse("deployment", processDefinitionId, by, refusal,
						Map.of("processDefinition", processDefinitionId));
			}
		}

		private static Map<String, Object> countersigned(CountersignedDeployment countersigned) {
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("modelChange", countersigned.changeId());
			data.put("response", countersigned.responseId());
			data.put("fingerprint", countersigned.fingerprint());
			data.put("requestedBy", countersigned.requestedBy());
			data.put("approvers", countersigned.approvers());
			data.put("diff", countersigned.diff());
			return data;
		}

		private String hash(String deploymentId, String name) {
			try (InputStream resource = getResourceAsStream(deploymentId, name)) {
				return "sha256:" + HexFormat.of()
					.formatHex(MessageDigest.getInstance("SHA-256").digest(resource.readAllBytes()));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
			}
			catch (IOException ex) {
				throw new IllegalStateException("cannot read resource " + name + " of deployment " + deploymentId, ex);
			}
		}

	}

}
