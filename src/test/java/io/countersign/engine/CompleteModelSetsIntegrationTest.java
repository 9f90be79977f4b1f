package io.countersign.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.countersign.CountersignApplication;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Restarts of one installation, as every release does: the starter's auto-deployment must keep every deployment a
 * complete model set, because playbooks bind the gate, forms and policies of their own deployment
 * (docs/adr/0002-model-binding.md). The models are a copy of {@code bpmn/} and {@code forms/} that the test edits
 * between starts, on one in-memory H2 database that outlives each application.
 */
class CompleteModelSetsIntegrationTest {

	private static final String AUTO_DEPLOYMENT = "SpringAutoDeployment";

	@TempDir
	Path models;

	private final String database = "jdbc:h2:mem:complete-sets-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

	@BeforeEach
	void copyShippedModels() throws IOException {
		for (String folder : List.of("bpmn", "forms")) {
			Files.createDirectories(this.models.resolve(folder));
			try (Stream<Path> files = Files.list(Path.of(folder))) {
				for (Path file : files.toList()) {
					Files.copy(file, this.models.resolve(folder).resolve(file.getFileName()));
				}
			}
		}
	}

	@Test
	void shouldDeployTheWholeSetWhenOneFileChangedAndNothingWhenNoneDid() throws IOException {
		Deployment first;
		Set<String> resources;
		try (ConfigurableApplicationContext context = start()) {
			RepositoryService repository = context.getBean(RepositoryService.class);
			first = singleAutoDeployment(repository);
			resources = Set.copyOf(repository.getDeploymentResourceNames(first.getId()));
			assertThat(resources).hasSize(shippedFiles());
		}
		try (ConfigurableApplicationContext context = start()) {
			assertThat(singleAutoDeployment(context.getBean(RepositoryService.class)).getId())
				.as("an unchanged restart deploys nothing")
				.isEqualTo(first.getId());
		}

		change("bpmn/approval-gate.bpmn");
		String second;
		try (ConfigurableApplicationContext context = start()) {
			RepositoryService repository = context.getBean(RepositoryService.class);
			List<Deployment> deployments = autoDeployments(repository);
			assertThat(deployments).hasSize(2);
			second = deployments.get(1).getId();
			assertThat(repository.getDeploymentResourceNames(second)).as("the whole set, not the changed file")
				.containsExactlyInAnyOrderElementsOf(resources);
			// Every model's latest version is the new deployment's, so new responses run the set as one.
			for (ProcessDefinition latest : repository.createProcessDefinitionQuery().latestVersion().list()) {
				assertThat(latest.getDeploymentId()).as(latest.getKey()).isEqualTo(second);
			}
			for (DecisionDefinition latest : repository.createDecisionDefinitionQuery().latestVersion().list()) {
				assertThat(latest.getDeploymentId()).as(latest.getKey()).isEqualTo(second);
			}
		}
		try (ConfigurableApplicationContext context = start()) {
			assertThat(autoDeployments(context.getBean(RepositoryService.class))).extracting(Deployment::getId)
				.as("an unchanged restart deploys nothing")
				.containsExactly(first.getId(), second);
		}
	}

	@Test
	void shouldRefuseToStartWhenOnlyChangedModelsWouldBeDeployed() throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			assertThat(autoDeployments(context.getBean(RepositoryService.class))).hasSize(1);
		}
		change("bpmn/approval-policy.dmn");
		long deployments = count("select count(*) from act_re_deployment");

		assertThatThrownBy(() -> start("--camunda.bpm.generic-properties.properties.deploy-changed-only=true")
			.close()).hasStackTraceContaining("deploy-changed-only=true would deploy changed models without the rest");

		assertThat(count("select count(*) from act_re_deployment")).as("nothing deployed by the refused start")
			.isEqualTo(deployments);
	}

	private ConfigurableApplicationContext start(String... extra) {
		String pattern = Stream.of("bpmn/*.bpmn", "bpmn/*.dmn", "forms/*.form")
			.map(glob -> "file:" + this.models.toAbsolutePath() + "/" + glob)
			.collect(Collectors.joining(","));
		List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + this.database,
				"--camunda.bpm.deployment-resource-pattern=" + pattern, "--camunda.bpm.job-execution.enabled=false",
				"--server.port=0"));
		args.addAll(List.of(extra));
		return new SpringApplicationBuilder(CountersignApplication.class).run(args.toArray(String[]::new));
	}

	/** A change Modeler could make: the documentation of the first element that has one. */
	private void change(String file) throws IOException {
		Path path = this.models.resolve(file);
		String content = Files.readString(path);
		String changed = content.replaceFirst("<(bpmn:)?documentation>", "$0Changed for a release. ");
		if (changed.equals(content)) {
			changed = content.replaceFirst("<description>", "$0Changed for a release. ");
		}
		assertThat(changed).as(file).isNotEqualTo(content);
		Files.writeString(path, changed);
	}

	private static List<Deployment> autoDeployments(RepositoryService repository) {
		return repository.createDeploymentQuery().deploymentName(AUTO_DEPLOYMENT).orderByDeploymentTime().asc().list();
	}

	private static Deployment singleAutoDeployment(RepositoryService repository) {
		List<Deployment> deployments = autoDeployments(repository);
		assertThat(deployments).hasSize(1);
		return deployments.get(0);
	}

	private int shippedFiles() throws IOException {
		try (Stream<Path> bpmn = Files.list(this.models.resolve("bpmn"));
				Stream<Path> forms = Files.list(this.models.resolve("forms"))) {
			// Only what the engine deploys: forms/ also holds the card's shared source, which is not a model.
			return (int) Stream.concat(bpmn, forms)
				.map(path -> path.getFileName().toString())
				.filter(name -> name.endsWith(".bpmn") || name.endsWith(".dmn") || name.endsWith(".form"))
				.count();
		}
	}

	private long count(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(this.database, "sa", "");
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getLong(1);
		}
	}

}
