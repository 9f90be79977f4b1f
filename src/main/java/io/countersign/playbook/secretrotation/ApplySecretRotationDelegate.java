package io.countersign.playbook.secretrotation;

import io.countersign.gate.ExecutionBlockedException;
import io.countersign.inventory.InventoryConflictException;
import io.countersign.response.ResponseVariables;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import org.springframework.stereotype.Component;

@Component("applySecretRotationDelegate")
class ApplySecretRotationDelegate implements JavaDelegate {

	private final SecretRotation rotation;

	ApplySecretRotationDelegate(SecretRotation rotation) {
		this.rotation = rotation;
	}

	@Override
	public void execute(DelegateExecution execution) {
		try {
			this.rotation.apply(execution.getProcessBusinessKey(),
					(String) execution.getVariable(ResponseVariables.STAGED_ACTION));
		}
		catch (ExecutionBlockedException ex) {
			throw new BpmnError(SecretRotationProcess.ERROR_EXECUTION_BLOCKED, ex.getMessage());
		}
		catch (InventoryConflictException ex) {
			throw new BpmnError(SecretRotationProcess.ERROR_APPLY_FAILED, ex.getMessage());
		}
	}

}
