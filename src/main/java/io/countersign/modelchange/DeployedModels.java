package io.countersign.modelchange;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.Resource;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.stereotype.Component;

/**
 * The models the engine runs now: for each file name, its newest deployed version, whichever deployment holds it
 * (the packaged set deployed at startup, a countersigned change, or in the embedded default a direct deployment).
 */
@Component
class DeployedModels {

	/** How many deployments, newest first, are read for the current set: more than an installation accumulates. */
	static final int MAX_DEPLOYMENTS_READ = 500;

	private final RepositoryService repositoryService;

	private final ObjectMapper objectMapper;

	DeployedModels(RepositoryService repositoryService, ObjectMapper objectMapper) {
		this.repositoryService = repositoryService;
		this.objectMapper = objectMapper;
	}

	/** One deployed model file. {@code name} is the resource name as deployed, {@code file} its last path segment. */
	record Model(String name, String file, String content, String sha256) {
	}

	/** By file name (last path segment), sorted. */
	Map<String, Model> current() {
		Map<String, Model> models = new TreeMap<>();
		List<Deployment> deployments = this.repositoryService.createDeploymentQuery()
			.orderByDeploymentTime()
			.desc()
			.listPage(0, MAX_DEPLOYMENTS_READ);
		for (Deployment deployment : deployments) {
			List<Resource> resources = this.repositoryService.getDeploymentResources(deployment.getId());
			resources.stream().sorted(Comparator.comparing(Resource::getName)).forEach(resource -> {
				String file = file(resource.getName());
				if (ModelFiles.isModel(file) && !models.containsKey(file)) {
					String content = new String(resource.getBytes(), StandardCharsets.UTF_8);
					models.put(file, new Model(resource.getName(), file, content, StagedAction.sha256(content)));
				}
			});
		}
		return models;
	}

	/** The fingerprint of a model set: {@code sha256:} of the canonical JSON of file name to content hash. */
	String fingerprint(Map<String, String> hashesByName) {
		return StagedAction.sha256(CanonicalJson.write(this.objectMapper.valueToTree(new TreeMap<>(hashesByName))));
	}

	String fingerprintOf(Map<String, Model> models) {
		return fingerprint(models.values().stream().collect(Collectors.toMap(Model::file, Model::sha256)));
	}

	static String file(String resourceName) {
		int slash = Math.max(resourceName.lastIndexOf('/'), resourceName.lastIndexOf('\\'));
		return resourceName.substring(slash + 1);
	}

}
