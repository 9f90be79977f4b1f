package io.countersign.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.EndEvent;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnEdge;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaExecutionListener;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaTaskListener;
import io.countersign.response.ResponseStatus;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.CallActivity;
import org.camunda.bpm.model.bpmn.instance.ErrorEventDefinition;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaIn;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaOut;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules every playbook in {@code bpmn/} keeps, so a diagram edited in Camunda Modeler cannot
 * silently drop an approval listener, a form or its layout.
 */
class BpmnConventionsTest {

	private static final Path BPMN = Path.of("bpmn");

	private static final Path FORMS = Path.of("forms");

	static Stream<Path> playbooks() throws IOException {
		return Files.list(BPMN).filter(path -> path.toString().endsWith(".bpmn")).sorted();
	}

	@ParameterizedTest
	@MethodSource("playbooks")
	void shouldHaveHistoryTimeToLiveAndMeaningfulIds(Path file) {
		BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
		for (Process process : model.getModelElementsByType(Process.class)) {
			assertThat(process.getCamundaHistoryTimeToLiveString()).as(process.getId()).isNotBlank();
			assertThat(process.isExecutable()).isTrue();
		}
		for (BaseElement element : model.getModelElementsByType(BaseElement.class)) {
			if (element.getId() != null) {
				assertThat(element.getId()).as("generated id in " + file)
					.doesNotMatch("(Activity|Event|Gateway|Flow|Task|StartEvent|EndEvent)_[0-9a-z]{7}");
			}
		}
	}

	@ParameterizedTest
	@MethodSource("playbooks")
	void shouldDrawEveryElementSoItOpensInModeler(Path file) {
		BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
		Set<String> shapes = model.getModelElementsByType(BpmnShape.class)
			.stream()
			.map(shape -> shape.getBpmnElement().getId())
			.collect(Collectors.toSet());
		Set<String> edges = model.getModelElementsByType(BpmnEdge.class)
			.stream()
			.map(edge -> edge.getBpmnElement().getId())
			.collect(Collectors.toSet());
		assertThat(shapes).containsAll(ids(model.getModelElementsByType(FlowNode.class)));
		assertThat(edges).containsAll(ids(model.getModelElementsByType(SequenceFlow.class)));
	}

	@ParameterizedTest
	@MethodSource("playbooks")
	void shouldGuardEveryUserTaskWithCandidatesAFormAndAnEnforcingListener(Path file) throws IOException {
		BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
		Set<String> formIds = formIds();
		for (UserTask task : model.getModelElementsByType(UserTask.class)) {
			assertThat(task.getCamundaCandidateGroups()).as(task.getId()).isNotBlank();
			assertThat(task.getCamundaFormRef()).as(task.getId()).isNotBlank();
			// A form deployed after the response started never shows up in it (docs/adr/0002-model-binding.md).
			assertThat(task.getCamundaFormRefBinding()).as(task.getId()).isEqualTo("deployment");
			if ("${approvalFormRef}".equals(task.getCamundaFormRef())) {
				// The gate shows the form its caller names; every deployment holds them all.
				assertThat(formIds).contains("Form_ApprovalGate");
			}
			else {
				assertThat(formIds).as(task.getId() + " form").contains(task.getCamundaFormRef());
			}
			List<CamundaTaskListener> all = task.getExtensionElements()
				.getElementsQuery()
				.filterByType(CamundaTaskListener.class)
				.list();
			List<String> approval = events(all, "${approvalTaskListener}");
			List<String> playbook = events(all, "${playbookTaskListener}");
			List<String> agentReview = events(all, "${agentReviewTaskListener}");
			// An approval enforces the gate's rules; a playbook's own task (ask to restore, validate) at least
			// enforces who may complete it; an agent tool-call review enforces its own. Either way the rule lives in
			// the engine, not in Tasklist.
			assertThat(approval.containsAll(List.of("create", "complete")) || playbook.contains("complete")
					|| agentReview.containsAll(List.of("create", "complete")))
				.as(task.getId() + " has the approval, playbook or agent review listener")
				.isTrue();
		}
	}

	@ParameterizedTest
	@MethodSource("playbooks")
	void shouldCallOnlySpringBeanDelegatesAndRecordEveryOutcome(Path file) {
		BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
		for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
			assertThat(task.getCamundaDelegateExpression()).as(task.getId()).matches("\\$\\{[a-zA-Z]+}");
			assertThat(task.getCamundaClass()).as(task.getId()).isNull();
			assertThat(task.getCamundaExpression()).as(task.getId()).isNull();
		}
		for (EndEvent end : model.getModelElementsByType(EndEvent.class)) {
			if (end.getExtensionElements() == null) {
				continue;
			}
			List<String> outcomes = end.getExtensionElements()
				.getElementsQuery()
				.filterByType(CamundaProperties.class)
				.list()
				.stream()
				.flatMap(properties -> properties.getCamundaProperties().stream())
				.filter(property -> "outcome".equals(property.getCamundaName()))
				.map(CamundaProperty::getCamundaValue)
				.toList();
			if (outcomes.isEmpty()) {
				continue;
			}
			assertThat(ResponseStatus.valueOf(outcomes.get(0)).isTerminal()).as(end.getId()).isTrue();
			assertThat(end.getExtensionElements().getElementsQuery().filterByType(CamundaExecutionListener.class).list())
				.as(end.getId() + " records its outcome")
				.anyMatch(listener -> "${responseOutcomeListener}".equals(listener.getCamundaDelegateExpression())
						&& "start".equals(listener.getCamundaEvent()));
		}
	}

	@ParameterizedTest
	@MethodSource("playbooks")
	void shouldCallOnlyProcessesOfItsOwnDeployment(Path file) throws IOException {
		BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
		Set<String> shipped = processIds();
		for (CallActivity call : model.getModelElementsByType(CallActivity.class)) {
			// Neither "latest" nor a version or version tag: a gate deployed after the response started, or one
			// deployed without the rest of its set, never runs for it (docs/adr/0002-model-binding.md).
			assertThat(call.getCamundaCalledElementBinding()).as(call.getId()).isEqualTo("deployment");
			assertThat(call.getCamundaCalledElementVersion()).as(call.getId()).isNull();
			assertThat(call.getCamundaCalledElementVersionTag()).as(call.getId()).isNull();
			assertThat(shipped).as(call.getId() + " calls a process shipped in bpmn/").contains(call.getCalledElement());
		}
	}

	@ParameterizedTest
	@MethodSource("playbooks")
	void shouldAskThePolicyBeforeEveryApprovalGate(Path file) {
		BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
		for (CallActivity call : model.getModelElementsByType(CallActivity.class)) {
			if (!"approval-gate".equals(call.getCalledElement())) {
				continue;
			}
			List<CamundaIn> ins = call.getExtensionElements().getElementsQuery().filterByType(CamundaIn.class).list();
			assertThat(ins).as(call.getId() + " passes the response id").anyMatch(in -> in.getCamundaBusinessKey() != null);
			assertThat(call.getExtensionElements().getElementsQuery().filterByType(CamundaOut.class).list())
				.as(call.getId() + " returns the outcome")
				.anyMatch(out -> "gateOutcome".equals(out.getCamundaSource()));
			List<FlowNode> before = stepsBefore(call);
			assertThat(before).as(call.getId() + " follows the policy step on every path")
				.isNotEmpty()
				.allSatisfy(node -> {
					assertThat(node).isInstanceOf(ServiceTask.class);
					assertThat(((ServiceTask) node).getCamundaDelegateExpression())
						.isEqualTo("${evaluateApprovalPolicyDelegate}");
					assertThat(model.getModelElementsByType(BoundaryEvent.class))
						.as(node.getId() + " models the denial")
						.anyMatch(boundary -> boundary.getAttachedTo() == node && boundary.getEventDefinitions()
							.stream()
							.anyMatch(definition -> definition instanceof ErrorEventDefinition error
									&& error.getError() != null && "POLICY_DENIED".equals(error.getError().getErrorCode())));
				});
		}
	}

	/**
	 * The steps a node follows, looking through gateways and the containment step the policy itself allows: what
	 * must come right before the gate on every path is the policy step.
	 */
	private static List<FlowNode> stepsBefore(FlowNode node) {
		List<FlowNode> found = new java.util.ArrayList<>();
		java.util.Deque<FlowNode> todo = new java.util.ArrayDeque<>(node.getPreviousNodes().list());
		Set<String> seen = new java.util.HashSet<>();
		while (!todo.isEmpty()) {
			FlowNode previous = todo.pop();
			if (!seen.add(previous.getId())) {
				continue;
			}
			boolean containment = previous instanceof ServiceTask task
					&& "${containBeforeDecisionDelegate}".equals(task.getCamundaDelegateExpression());
			if (previous instanceof org.camunda.bpm.model.bpmn.instance.Gateway || containment) {
				todo.addAll(previous.getPreviousNodes().list());
			}
			else {
				found.add(previous);
			}
		}
		return found;
	}

	private static List<String> events(List<CamundaTaskListener> listeners, String delegate) {
		return listeners.stream()
			.filter(listener -> delegate.equals(listener.getCamundaDelegateExpression()))
			.map(CamundaTaskListener::getCamundaEvent)
			.toList();
	}

	private static Set<String> ids(java.util.Collection<? extends BaseElement> elements) {
		return elements.stream().map(BaseElement::getId).collect(Collectors.toSet());
	}

	private static Set<String> processIds() throws IOException {
		try (Stream<Path> files = playbooks()) {
			return files.flatMap(path -> Bpmn.readModelFromFile(path.toFile())
				.getModelElementsByType(Process.class)
				.stream()
				.map(Process::getId)).collect(Collectors.toSet());
		}
	}

	private static Set<String> formIds() throws IOException {
		ObjectMapper mapper = new ObjectMapper();
		try (Stream<Path> files = Files.list(FORMS)) {
			return files.filter(path -> path.toString().endsWith(".form")).map(path -> {
				try {
					return mapper.readTree(path.toFile()).path("id").asText();
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).collect(Collectors.toSet());
		}
	}

}
