package io.countersign.engine;

import java.util.ArrayList;
import java.util.List;

import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;

import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * Installs the restricted expression manager ({@link RestrictedExpressionManager}) and the parse listener that refuses
 * scripts and Java classes in deployed diagrams ({@link BeanDelegatesOnly}), for every way a diagram reaches the
 * engine: auto-deployment, engine-rest, Cockpit.
 */
@Component
class RestrictedExpressionsPlugin extends AbstractProcessEnginePlugin {

	private final ApplicationContext applicationContext;

	RestrictedExpressionsPlugin(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		configuration.setExpressionManager(new RestrictedExpressionManager(this.applicationContext));
		List<BpmnParseListener> listeners = configuration.getCustomPreBPMNParseListeners() == null ? new ArrayList<>()
				: new ArrayList<>(configuration.getCustomPreBPMNParseListeners());
		listeners.add(new BeanDelegatesOnly());
		configuration.setCustomPreBPMNParseListeners(listeners);
	}

}
