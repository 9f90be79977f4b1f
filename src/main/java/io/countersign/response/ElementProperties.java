package io.countersign.response;

import java.util.Optional;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.ExtensionElements;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;

/**
 * Reads a Camunda extension property of the element an execution is at. Designers set outcomes this way in
 * Modeler's properties panel, so an end event needs no code of its own.
 */
public final class ElementProperties {

	private ElementProperties() {
	}

	public static Optional<String> of(DelegateExecution execution, String name) {
		BaseElement element = execution.getBpmnModelElementInstance();
		ExtensionElements extensions = element == null ? null : element.getExtensionElements();
		if (extensions == null) {
			return Optional.empty();
		}
		return extensions.getElementsQuery()
			.filterByType(CamundaProperties.class)
			.list()
			.stream()
			.flatMap(properties -> properties.getCamundaProperties().stream())
			.filter(property -> name.equals(property.getCamundaName()))
			.map(CamundaProperty::getCamundaValue)
			.findFirst();
	}

}
