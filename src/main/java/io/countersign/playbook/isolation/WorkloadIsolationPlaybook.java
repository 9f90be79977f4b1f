package io.countersign.playbook.isolation;

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
class WorkloadIsolationPlaybook {

	static final String PROCESS_KEY = "workload-isolation";

	/** Set by the responder on the validation form. */
	static final String CUSTOMER_FACING_CONFIRMED = "customerFacingConfirmed";

	@Bean
	PlaybookDefinition workloadIsolationPlaybookDefinition() {
		return new PlaybookDefinition(PROCESS_KEY, PROCESS_KEY, false, (request, identity) -> {
			String workload = request.evidence() == null ? null
					: request.evidence().path(WorkloadIsolation.WORKLOAD).asText(null);
			if (workload == null || identity.consumers().stream().noneMatch(c -> c.name().equals(workload))) {
				throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "Playbook '" + PROCESS_KEY
						+ "' needs evidence.workload naming one of the consumers of '" + identity.id() + "': "
						+ identity.consumers().stream().map(c -> c.name()).toList(), "evidence");
			}
		});
	}

	@Component("stageIsolationDelegate")
	static class StageIsolation implements JavaDelegate {

		private final WorkloadIsolation isolation;

		private final DetectionFacts facts;

		StageIsolation(WorkloadIsolation isolation, DetectionFacts facts) {
			this.isolation = isolation;
			this.facts = facts;
		}

		@Override
		public void execute(DelegateExecution execution) {
			// The target is the workload the detection named, as stored: the validator only confirms customers, and
			// that can only make the approval stricter.
			DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
			String workload = detection.evidenceText(WorkloadIsolation.WORKLOAD);
			WorkloadIsolation.Staged staged = Staging.orRefuse(() -> this.isolation.stage(detection.responseId(),
					detection.identity(), workload,
					Boolean.TRUE.equals(execution.getVariable(CUSTOMER_FACING_CONFIRMED))));
			Staging.publish(execution, staged.action(), staged.blastRadius(), staged.rollbackPlan());
			execution.setVariable("workload", workload);
		}

	}

}
