package io.countersign.gate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.repository.ProcessDefinition;

/**
 * The deployed models a policy step runs under, recorded with the policy's answer so that an auditor sees exactly
 * which versions decided: each process definition from the playbook down to the one asking the policy, and the
 * approval gate its call activity binds to. Call activities bind {@code deployment}, so all of them, and the policy,
 * come from the asking definition's deployment (docs/adr/0002-model-binding.md).
 *
 * @param deploymentId the deployment of the process definition that asks the policy
 * @param processes root first
 */
record ModelsInUse(String deploymentId, List<Model> processes) {

	/** Deeper than any playbook calls; a guard against walking a cycle, which the engine does not build. */
	private static final int MAX_DEPTH = 16;

	record Model(String key, int version, String id, String deploymentId) {

		Map<String, Object> data() {
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("key", this.key);
			data.put("version", this.version);
			data.put("id", this.id);
			data.put("deployment", this.deploymentId);
			return data;
		}

	}

	static ModelsInUse of(DelegateExecution execution, RepositoryService repositoryService) {
		List<Model> processes = new ArrayList<>();
		DelegateExecution current = execution;
		for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
			ProcessDefinition definition = definition(repositoryService, current.getProcessDefinitionId());
			if (definition != null) {
				processes.add(0, model(definition));
			}
			current = current.getProcessInstance().getSuperExecution();
		}
		String deploymentId = DecisionTables.deploymentOf(repositoryService, execution.getProcessDefinitionId())
			.orElse(null);
		ProcessDefinition gate = deploymentId == null ? null
				: WithoutAuthorization.call(() -> repositoryService.createProcessDefinitionQuery()
					.deploymentId(deploymentId)
					.processDefinitionKey(ApprovalGateProcess.PROCESS_KEY)
					.singleResult());
		if (gate != null && processes.stream().noneMatch(process -> process.id().equals(gate.getId()))) {
			processes.add(model(gate));
		}
		return new ModelsInUse(deploymentId, List.copyOf(processes));
	}

	Map<String, Object> data() {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("deployment", this.deploymentId == null ? "" : this.deploymentId);
		data.put("processes", this.processes.stream().map(Model::data).toList());
		return data;
	}

	private static ProcessDefinition definition(RepositoryService repositoryService, String id) {
		return WithoutAuthorization
			.call(() -> repositoryService.createProcessDefinitionQuery().processDefinitionId(id).singleResult());
	}

	private static Model model(ProcessDefinition definition) {
		return new Model(definition.getKey(), definition.getVersion(), definition.getId(),
				definition.getDeploymentId());
	}

}
