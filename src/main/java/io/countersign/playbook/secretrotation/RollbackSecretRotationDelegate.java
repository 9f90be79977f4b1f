package io.countersign.playbook.secretrotation;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

@Component("rollbackSecretRotationDelegate")
class RollbackSecretRotationDelegate implements JavaDelegate {

	private final SecretRotation rotation;

	RollbackSecretRotationDelegate(SecretRotation rotation) {
		this.rotation = rotation;
	}

	@Override
	public void execute(DelegateExecution execution) {
		this.rotation.rollback(execution.getProcessBusinessKey());
	}

}
