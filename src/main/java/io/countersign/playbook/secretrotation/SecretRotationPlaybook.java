package io.countersign.playbook.secretrotation;

import io.countersign.playbook.DetectionFacts;
import io.countersign.playbook.Staging;
import io.countersign.response.PlaybookDefinition;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/** The playbook's name, its diagram, and the delegate of its staging step. */
@Configuration(proxyBeanMethods = false)
class SecretRotationPlaybook {

	@Bean
	PlaybookDefinition secretRotationPlaybookDefinition() {
		return new PlaybookDefinition(SecretRotationProcess.PROCESS_KEY, SecretRotationProcess.PROCESS_KEY, true);
	}

	@Component("stageSecretRotationDelegate")
	static class StageRotation implements JavaDelegate {

		private final SecretRotation rotation;

		private final DetectionFacts facts;

		StageRotation(SecretRotation rotation, DetectionFacts facts) {
			this.rotation = rotation;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			SecretRotation.Staged staged = Staging.orRefuse(() -> this.rotation.stage(detection.responseId(),
					detection.identity(), detection.credential()));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
		}

	}

}
