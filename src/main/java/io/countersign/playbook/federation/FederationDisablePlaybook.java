package io.countersign.playbook.federation;

import io.countersign.api.ApiException;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.playbook.DetectionFacts;
import io.countersign.playbook.Staging;
import io.countersign.response.PlaybookDefinition;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

@Configuration(proxyBeanMethods = false)
class FederationDisablePlaybook {

	static final String PROCESS_KEY = "federated-credential-disable";

	@Bean
	PlaybookDefinition federationDisablePlaybookDefinition() {
		return new PlaybookDefinition(PROCESS_KEY, PROCESS_KEY, false, (request, identity) -> {
			try {
				FederationDisable.trust(identity, request.credential());
			}
			catch (InventoryConflictException ex) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ex.getMessage(), "credential");
			}
		});
	}

	@Component("stageFederationDisableDelegate")
	static class StageFederationDisable implements JavaDelegate {

		private final FederationDisable federation;

		private final DetectionFacts facts;

		StageFederationDisable(FederationDisable federation, DetectionFacts facts) {
			this.federation = federation;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			FederationDisable.Staged staged = Staging.orRefuse(() -> this.federation.stage(detection.responseId(),
					detection.identity(), detection.credential()));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
		}

	}

}
