package io.countersign.playbook;

import java.time.Duration;
import java.time.Instant;

import io.countersign.response.ResponseStatus;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

/** Records that an approver chose to keep monitoring, and when the playbook asks again. */
@Component("startMonitoringDelegate")
class StartMonitoringDelegate implements JavaDelegate {

	private final Responses responses;

	StartMonitoringDelegate(Responses responses) {
		this.responses = responses;
	}

	@Override
	public void execute(DelegateExecution execution) {
		Duration period = Duration.parse((String) execution.getVariable("monitorFor"));
		this.responses.transition(execution.getProcessBusinessKey(), ResponseStatus.MONITORING, "MONITORING", null,
				"Monitoring for " + period + "; the decision is asked again at " + Instant.now().plus(period));
	}

}
