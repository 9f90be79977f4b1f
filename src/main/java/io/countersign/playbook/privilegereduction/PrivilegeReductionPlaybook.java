package io.countersign.playbook.privilegereduction;

import io.countersign.api.ApiException;
import io.countersign.playbook.Staging;
import io.countersign.response.PlaybookDefinition;
import io.countersign.response.ResponseVariables;
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

		StageReduction(PrivilegeReduction reduction) {
			this.reduction = reduction;
		}

		@Override
		public void execute(DelegateExecution execution) {
			PrivilegeReduction.Staged staged = Staging.orRefuse(() -> this.reduction.stage(
					execution.getProcessBusinessKey(), (String) execution.getVariable(ResponseVariables.IDENTITY),
					(String) execution.getVariable(ResponseVariables.EVIDENCE),
					(String) execution.getVariable("narrowedTo")));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			// The form pre-fills the narrowing field with the proposal.
			execution.setVariable("privilegesToRemove", String.join(", ", staged.remove()));
		}

	}

}
