package io.countersign.playbook.quarantine;

import io.countersign.playbook.DetectionFacts;
import io.countersign.playbook.Staging;
import io.countersign.response.PlaybookDefinition;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

@Configuration(proxyBeanMethods = false)
class IdentityQuarantinePlaybook {

	static final String PROCESS_KEY = "identity-quarantine";

	@Bean
	PlaybookDefinition identityQuarantinePlaybookDefinition() {
		return new PlaybookDefinition(PROCESS_KEY, PROCESS_KEY, false);
	}

	@Component("stageQuarantineDelegate")
	static class StageQuarantine implements JavaDelegate {

		private final IdentityQuarantine quarantine;

		private final DetectionFacts facts;

		StageQuarantine(IdentityQuarantine quarantine, DetectionFacts facts) {
			this.quarantine = quarantine;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			// Staged again after monitoring too: the identity is the stored one, whatever the variables say by then.
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			IdentityQuarantine.Staged staged = Staging
				.orRefuse(() -> this.quarantine.stage(detection.responseId(), detection.identity()));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			execution.setVariable("containmentStaged", staged.containmentStaged());
		}

	}

	@Component("stageReleaseDelegate")
	static class StageRelease implements JavaDelegate {

		private final IdentityQuarantine quarantine;

		StageRelease(IdentityQuarantine quarantine) {
			this.quarantine = quarantine;
		}

		@Override
		public void execute(DelegateExecution execution) {
			IdentityQuarantine.Staged staged = Staging
				.orRefuse(() -> this.quarantine.stageRelease(execution.getProcessBusinessKey()));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			execution.setVariable("containmentStaged", false);
		}

	}

}
