package io.countersign.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentBuilder;

/**
 * The shipped models, {@code bpmn/} and {@code forms/}, as one set of resources by file name: what every deployment
 * must hold (docs/adr/0002-model-binding.md). Tests change a file of it and deploy it whole, as a model change does, or
 * deploy a part of it, as engine-rest allows an administrator to.
 */
public final class ModelSet {

	private final Map<String, String> resources;

	private ModelSet(Map<String, String> resources) {
		this.resources = Map.copyOf(resources);
	}

	/** Every file of {@code bpmn/} and {@code forms/} as shipped. */
	public static ModelSet shipped() {
		return new ModelSet(read("bpmn", "forms"));
	}

	/**
	 * The set tests auto-deploy: the shipped one and the test-only models of {@code src/test/resources/bpmn} and
	 * {@code forms}. A test diagram calls the gate of its own deployment, so a test that deploys a changed set and
	 * starts a test diagram deploys this one.
	 */
	public static ModelSet shippedWithTestModels() {
		Map<String, String> resources = read("bpmn", "forms");
		Map<String, String> test = read("src/test/resources/bpmn", "src/test/resources/forms");
		test.keySet().stream().filter(resources::containsKey).findAny().ifPresent(name -> {
			throw new IllegalStateException("test model " + name + " would replace a shipped one");
		});
		resources.putAll(test);
		return new ModelSet(resources);
	}

	private static Map<String, String> read(String... folders) {
		Map<String, String> resources = new TreeMap<>();
		for (String folder : folders) {
			try (Stream<Path> files = Files.list(Path.of(folder))) {
				files.filter(file -> file.toString().matches(".*\\.(bpmn|dmn|form)"))
					.forEach(file -> resources.put(file.getFileName().toString(), read(file)));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return resources;
	}

	/** This set with {@code name} replaced by (or added as) {@code content}. */
	public ModelSet with(String name, String content) {
		Map<String, String> changed = new TreeMap<>(this.resources);
		changed.put(name, content);
		return new ModelSet(changed);
	}

	/** This set without {@code name}. */
	public ModelSet without(String name) {
		Map<String, String> changed = new TreeMap<>(this.resources);
		if (changed.remove(name) == null) {
			throw new IllegalArgumentException("no " + name + " in the set");
		}
		return new ModelSet(changed);
	}

	/** Just {@code names} of this set: a partial deployment. */
	public ModelSet only(String... names) {
		Map<String, String> part = new TreeMap<>();
		for (String name : names) {
			part.put(name, content(name));
		}
		return new ModelSet(part);
	}

	public String content(String name) {
		String content = this.resources.get(name);
		if (content == null) {
			throw new IllegalArgumentException("no " + name + " in the set");
		}
		return content;
	}

	public Map<String, String> resources() {
		return this.resources;
	}

	/** Deploys the set through the Java API as one deployment; returns its id. */
	public String deploy(RepositoryService repositoryService, String deploymentName) {
		DeploymentBuilder builder = repositoryService.createDeployment().name(deploymentName);
		this.resources.forEach((name, content) -> builder.addInputStream(name,
				new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))));
		return builder.deploy().getId();
	}

	/** A multipart body for engine-rest {@code POST /deployment/create}, and its Content-Type. */
	public Multipart multipart(String deploymentName) {
		String boundary = "model-set-" + UUID.randomUUID();
		StringBuilder body = new StringBuilder();
		body.append("--").append(boundary).append("\r\n")
			.append("Content-Disposition: form-data; name=\"deployment-name\"\r\n\r\n")
			.append(deploymentName)
			.append("\r\n");
		this.resources.forEach((name, content) -> body.append("--").append(boundary).append("\r\n")
			.append("Content-Disposition: form-data; name=\"")
			.append(name)
			.append("\"; filename=\"")
			.append(name)
			.append("\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.append(content)
			.append("\r\n"));
		body.append("--").append(boundary).append("--\r\n");
		return new Multipart(body.toString(), "multipart/form-data; boundary=" + boundary);
	}

	public record Multipart(String body, String contentType) {
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
