package io.countersign.playbook.secretrotation;

import io.countersign.gate.ApprovalProperties;
import io.countersign.response.ResponseVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

@Component("stageSecretRotationDelegate")
class StageSecretRotationDelegate implements JavaDelegate {

	private final SecretRotation rotation;

	private final ApprovalProperties approval;

	StageSecretRotationDelegate(SecretRotation rotation, ApprovalProperties approval) {
		this.rotation = rotation;
		this.approval = approval;
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
		execution.setVariable(ResponseVariables.ESCALATE_AFTER, this.approval.escalateAfter().toString());
		execution.setVariable(ResponseVariables.EXPIRE_AFTER, this.approval.expireAfter().toString());
		execution.setVariable(ResponseVariables.ESCALATION_GROUP, this.approval.escalationGroup());
	}

}
