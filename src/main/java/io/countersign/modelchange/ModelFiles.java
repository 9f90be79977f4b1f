package io.countersign.modelchange;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** What a model file may be called and how it is read: XML without DTDs or external entities, forms as JSON. */
final class ModelFiles {

	/** A file name, not a path: lower-case words joined by hyphens, then .bpmn, .dmn or .form. */
	static final Pattern NAME = Pattern.compile("^[a-z0-9]+(-[a-z0-9]+)*\\.(bpmn|dmn|form)$");

	static final String BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL";

	static final String DMN_NAMESPACE_PREFIX = "https://www.omg.org/spec/DMN/";

	private ModelFiles() {
	}

	static boolean isModel(String file) {
		return file.endsWith(".bpmn") || file.endsWith(".dmn") || file.endsWith(".form");
	}

	/**
	 * @throws IllegalArgumentException naming what is wrong, when the content is not well-formed XML of the kind its
	 * name says, or not a JSON object for a form
	 */
	static Object parse(String file, String content, ObjectMapper objectMapper) {
		if (file.endsWith(".form")) {
			try {
				JsonNode form = objectMapper.readTree(content);
				if (form == null || !form.isObject() || !form.path("components").isArray()) {
					throw new IllegalArgumentException(file + " is not a Camunda form: a JSON object with components");
				}
				return form;
			}
			catch (JsonProcessingException ex) {
				throw new IllegalArgumentException(file + " is not valid JSON: " + ex.getOriginalMessage());
			}
		}
		Document document = xml(file, content);
		String namespace = document.getDocumentElement().getNamespaceURI();
		boolean bpmn = BPMN_NAMESPACE.equals(namespace);
		boolean dmn = namespace != null && namespace.startsWith(DMN_NAMESPACE_PREFIX);
		if (!"definitions".equals(document.getDocumentElement().getLocalName())
				|| (file.endsWith(".bpmn") && !bpmn) || (file.endsWith(".dmn") && !dmn)) {
			throw new IllegalArgumentException(file + " is not a " + (file.endsWith(".bpmn") ? "BPMN 2.0" : "DMN 1.3")
					+ " definitions document");
		}
		// What the engine would refuse at deployment is refused now, with the file named, rather than at apply.
		try {
			if (bpmn) {
				Bpmn.readModelFromStream(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
				beanDelegatesOnly(file, document.getDocumentElement());
			}
			else {
				DMN_ENGINE.parseDecisions(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
			}
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException(file + " is not a valid " + (bpmn ? "BPMN" : "DMN") + " model: "
					+ ex.getMessage());
		}
		return document;
	}

	private static final DmnEngine DMN_ENGINE = DmnEngineConfiguration.createDefaultDmnEngineConfiguration()
		.buildEngine();

	private static final List<String> REFUSED_ELEMENTS = List.of("scripttask", "script");

	private static final List<String> REFUSED_ATTRIBUTES = List.of("class", "scriptformat", "resource");

	/** The engine's deployment rule (no scripts, no Java classes), checked before anyone is asked to approve. */
	private static void beanDelegatesOnly(String file, Element element) {
		if (REFUSED_ELEMENTS.contains(element.getLocalName().toLowerCase(Locale.ROOT))) {
			throw new IllegalArgumentException(file + " uses <" + element.getTagName() + ">; Countersign runs only "
					+ "delegate beans referenced as ${beanName}, no scripts and no Java classes");
		}
		NamedNodeMap attributes = element.getAttributes();
		for (int i = 0; i < attributes.getLength(); i++) {
			Node attribute = attributes.item(i);
			String name = attribute.getLocalName() == null ? attribute.getNodeName() : attribute.getLocalName();
			if (REFUSED_ATTRIBUTES.contains(name.toLowerCase(Locale.ROOT))) {
				throw new IllegalArgumentException(file + " uses attribute '" + attribute.getNodeName() + "' on <"
						+ element.getTagName() + ">; Countersign runs only delegate beans referenced as ${beanName}, "
						+ "no scripts and no Java classes");
			}
		}
		children(element).forEach(child -> beanDelegatesOnly(file, child));
	}

	private static Document xml(String file, String content) {
		try {
			DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
			factory.setNamespaceAware(true);
			// Models never need a DTD; refusing them closes XXE and entity expansion in one place.
			factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
			factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
			factory.setXIncludeAware(false);
			factory.setExpandEntityReferences(false);
			DocumentBuilder builder = factory.newDocumentBuilder();
			builder.setErrorHandler(null);
			return builder.parse(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
		}
		catch (SAXException ex) {
			throw new IllegalArgumentException(file + " is not well-formed XML (or declares a DTD): " + ex.getMessage());
		}
		catch (ParserConfigurationException | IOException ex) {
			throw new IllegalStateException("cannot read XML", ex);
		}
	}

	/** The element children of a node, in document order. */
	static List<Element> children(Node node) {
		List<Element> elements = new ArrayList<>();
		NodeList nodes = node.getChildNodes();
		for (int i = 0; i < nodes.getLength(); i++) {
			if (nodes.item(i) instanceof Element element) {
				elements.add(element);
			}
		}
		return elements;
	}

	static List<Element> children(Node node, String localName) {
		return children(node).stream().filter(e -> localName.equals(e.getLocalName())).toList();
	}

	/** The element's own text, without its children's. */
	static String ownText(Element element) {
		StringBuilder text = new StringBuilder();
		NodeList nodes = element.getChildNodes();
		for (int i = 0; i < nodes.getLength(); i++) {
			if (nodes.item(i).getNodeType() == Node.TEXT_NODE || nodes.item(i).getNodeType() == Node.CDATA_SECTION_NODE) {
				text.append(nodes.item(i).getNodeValue());
			}
		}
		return text.toString().strip();
	}

}
