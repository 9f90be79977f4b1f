package io.countersign.playbook.secretrotation;

import io.countersign.response.ResponseVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

@Component("stageSecretRotationDelegate")
class StageSecretRotationDelegate implements JavaDelegate {

	private final SecretRotation rotation;

	StageSecretRotationDelegate(SecretRotation rotation) {
		this.rotation = rotation;
	}

	@Override
	public void execute(DelegateExecution execution) {
		SecretRotation.Staged staged = this.rotation.stage(execution.getProcessBusinessKey(),
				(String) execution.getVariable(ResponseVariables.IDENTITY),
				(String) execution.getVariable(ResponseVariables.CREDENTIAL));
		execution.setVariable(ResponseVariables.STAGED_ACTION, staged.action().toJsonNode().toPrettyString());
		execution.setVariable(ResponseVariables.ACTION_FINGERPRINT, staged.action().fingerprint());
		execution.setVariable(ResponseVariables.BLAST_RADIUS, staged.blastRadiusText());
		execution.setVariable(ResponseVariables.ROLLBACK_PLAN, staged.rollbackPlan());
	}

}
