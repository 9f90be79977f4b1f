package io.countersign.playbook.privilegereduction;

import io.countersign.api.ApiException;
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
class PrivilegeReductionPlaybook {

	static final String PROCESS_KEY = "privilege-reduction";

	@Bean
	PlaybookDefinition privilegeReductionPlaybookDefinition() {
		return new PlaybookDefinition(PROCESS_KEY, PROCESS_KEY, false, (request, identity) -> {
			if (request.evidence() == null || !request.evidence().path(PrivilegeReduction.USED_PRIVILEGES).isArray()) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "Playbook '" + PROCESS_KEY
						+ "' needs evidence." + PrivilegeReduction.USED_PRIVILEGES
						+ ": the privileges the identity was seen using", "evidence");
			}
		});
	}

	@Component("stageReductionDelegate")
	static class StageReduction implements JavaDelegate {

		private final PrivilegeReduction reduction;

		private final DetectionFacts facts;

		StageReduction(PrivilegeReduction reduction, DetectionFacts facts) {
			this.reduction = reduction;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			// The used privileges are the detection's as received; a narrowing is checked against the stored proposal.
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			PrivilegeReduction.Staged staged = Staging.orRefuse(() -> this.reduction.stage(detection.responseId(),
					detection.identity(), detection.evidence().toString(),
					(String) execution.getVariable("narrowedTo")));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			// The form pre-fills the narrowing field with the proposal.
			execution.setVariable("privilegesToRemove", String.join(", ", staged.remove()));
		}

	}

}
