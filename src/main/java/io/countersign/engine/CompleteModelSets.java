package io.countersign.engine;

import org.camunda.bpm.engine.spring.SpringProcessEngineConfiguration;
import org.camunda.bpm.spring.boot.starter.util.SpringBootProcessEnginePlugin;

import org.springframework.stereotype.Component;

/**
 * Keeps every auto-deployment a complete model set. Call activities, forms and policies bind to the deployment of the
 * process that uses them (docs/adr/0002-model-binding.md), so a deployment must hold every playbook, the guarded
 * action, the gate, both policies and every form. The starter deploys all of {@code bpmn/} and {@code forms/} as one
 * deployment with duplicate filtering: an unchanged restart deploys nothing, one changed file deploys the whole set
 * anew. {@code deploy-changed-only=true} (a generic engine property) would deploy the changed file alone, so that
 * setting refuses to start.
 */
@Component
class CompleteModelSets extends SpringBootProcessEnginePlugin {

	@Override
	public void postInit(SpringProcessEngineConfiguration configuration) {
		// After every preInit, the generic properties' included, and before the starter deploys anything.
		if (configuration.isDeployChangedOnly()) {
			throw new IllegalStateException("camunda.bpm.generic-properties.properties.deploy-changed-only=true would "
					+ "deploy changed models without the rest of their set, and playbooks bind the gate, forms and "
					+ "policies of their own deployment; remove it (see docs/adr/0002-model-binding.md)");
		}
	}

}
