package io.countersign.playbook.secretrotation;

import io.countersign.playbook.DetectionFacts;
import io.countersign.response.ResponseVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

@Component("stageSecretRotationDelegate")
class StageSecretRotationDelegate implements JavaDelegate {

	private final SecretRotation rotation;

	private final DetectionFacts facts;

	StageSecretRotationDelegate(SecretRotation rotation, DetectionFacts facts) {
		this.rotation = rotation;
		this.facts = facts;
	}

	@Override
	public void execute(DelegateExecution execution) {
		DetectionFacts.Facts detection = this.facts.of(execution.getProcessBusinessKey());
		SecretRotation.Staged staged = this.rotation.stage(detection.responseId(), detection.identity(),
				detection.credential());
		execution.setVariable(ResponseVariables.STAGED_ACTION, staged.action().toJsonNode().toPrettyString());
		execution.setVariable(ResponseVariables.ACTION_FINGERPRINT, staged.action().fingerprint());
		execution.setVariable(ResponseVariables.BLAST_RADIUS, staged.blastRadiusText());
		execution.setVariable(ResponseVariables.ROLLBACK_PLAN, staged.rollbackPlan());
	}

}
