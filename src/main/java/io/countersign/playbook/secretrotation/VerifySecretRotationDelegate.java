package io.countersign.playbook.secretrotation;

import io.countersign.gate.ExecutionBlockedException;
import io.countersign.inventory.InventoryConflictException;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

@Component("verifySecretRotationDelegate")
class VerifySecretRotationDelegate implements JavaDelegate {

	private final SecretRotation rotation;

	VerifySecretRotationDelegate(SecretRotation rotation) {
		this.rotation = rotation;
	}

	@Override
	public void execute(DelegateExecution execution) {
		try {
			this.rotation.verify(execution.getProcessBusinessKey());
		}
		catch (ExecutionBlockedException ex) {
			throw new BpmnError(SecretRotationProcess.ERROR_EXECUTION_BLOCKED, ex.getMessage());
		}
		catch (InventoryConflictException ex) {
			throw new BpmnError(SecretRotationProcess.ERROR_APPLY_FAILED, ex.getMessage());
		}
	}

}
