package io.countersign.engine;

import java.util.List;
import java.util.Locale;

import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;

/**
 * Refuses a diagram that would run code other than our delegate beans: script tasks, scripts anywhere (listeners,
 * conditions, input/output mappings) and Java classes named by {@code camunda:class} or a listener's {@code class}.
 * Enforced at deployment in the engine, so no channel deploys around it.
 */
final class BeanDelegatesOnly extends AbstractBpmnParseListener {

	private static final List<String> REFUSED_ELEMENTS = List.of("scripttask", "script");

	private static final List<String> REFUSED_ATTRIBUTES = List.of("class", "scriptformat", "resource");

	@Override
	public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
		check(processElement, processDefinition.getKey());
	}

	private static void check(Element element, String process) {
		String tag = localName(element.getTagName());
		if (REFUSED_ELEMENTS.contains(tag)) {
			throw refused(process, "<" + element.getTagName() + "> at line " + element.getLine());
		}
		for (String attribute : element.attributes()) {
			if (REFUSED_ATTRIBUTES.contains(localName(attribute))) {
				throw refused(process, "attribute '" + attribute + "' on <" + element.getTagName() + "> at line "
						+ element.getLine());
			}
		}
		for (Element child : element.elements()) {
			check(child, process);
		}
	}

	private static String localName(String name) {
		int colon = name.lastIndexOf(':');
		return (colon < 0 ? name : name.substring(colon + 1)).toLowerCase(Locale.ROOT);
	}

	/** A request the caller must change, so every channel answers it as a 400, not as a server error. */
	private static BadUserRequestException refused(String process, String what) {
		return new BadUserRequestException("Deployment refused: process '" + process + "' uses " + what
				+ "; Countersign runs only delegate beans referenced as ${beanName}, no scripts and no Java classes");
	}

}
