package io.countersign.playbook.revocation;

import io.countersign.playbook.DetectionFacts;
import io.countersign.playbook.Staging;
import io.countersign.response.PlaybookDefinition;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/** The playbook's name, its diagram, and the delegates of its staging steps. */
@Configuration(proxyBeanMethods = false)
class CredentialRevocationPlaybook {

	static final String PROCESS_KEY = "credential-revocation";

	@Bean
	PlaybookDefinition credentialRevocationPlaybookDefinition() {
		return new PlaybookDefinition(PROCESS_KEY, PROCESS_KEY, true);
	}

	@Component("stageRevocationDelegate")
	static class StageRevocation implements JavaDelegate {

		private final CredentialRevocation revocation;

		private final DetectionFacts facts;

		StageRevocation(CredentialRevocation revocation, DetectionFacts facts) {
			this.revocation = revocation;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			CredentialRevocation.Staged staged = Staging.orRefuse(() -> this.revocation.stage(detection.responseId(),
					detection.identity(), detection.credential()));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			execution.setVariable("containmentStaged", staged.containmentStaged());
		}

	}

	@Component("stageRestoreDelegate")
	static class StageRestore implements JavaDelegate {

		private final CredentialRevocation revocation;

		StageRestore(CredentialRevocation revocation) {
			this.revocation = revocation;
		}

		@Override
		public void execute(DelegateExecution execution) {
			CredentialRevocation.Staged staged = Staging
				.orRefuse(() -> this.revocation.stageRestore(execution.getProcessBusinessKey()));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			execution.setVariable("containmentStaged", false);
		}

	}

}
