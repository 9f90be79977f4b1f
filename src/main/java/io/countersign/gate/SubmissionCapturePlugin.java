package io.countersign.gate;

import java.util.Collection;
import java.util.Map;

import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.impl.FormServiceImpl;
import org.camunda.bpm.engine.impl.TaskServiceImpl;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.engine.variable.value.TypedValue;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Installs the engine services through which every channel completes a task and loads a form (engine-rest and the
 * Tasklist webapp call these same services), so that:
 * <ul>
 * <li>the variables submitted with {@code complete} / {@code submit-form} are known to the task listeners as
 * {@link Submissions}, apart from any variable that existed before;</li>
 * <li>a form's facts of record come from our tables ({@link TaskFormFacts}), whatever the variables say;</li>
 * <li>nobody ends a human task by throwing a BPMN error or escalation at it instead of deciding.</li>
 * </ul>
 * It also makes candidates and assignees of a task hold {@code TASK_WORK} (read, claim, complete) instead of the
 * engine's default {@code UPDATE}, which would let any co-approver write variables on the task.
 *
 * <p>This class and {@link Submissions} are the only places that know the engine's service implementations.
 */
@Component
class SubmissionCapturePlugin extends AbstractProcessEnginePlugin {

	private final ObjectProvider<TaskFormFacts> facts;

	SubmissionCapturePlugin(ObjectProvider<TaskFormFacts> facts) {
		this.facts = facts;
	}

	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		configuration.setTaskService(new CapturingTaskService());
		configuration.setFormService(new FactsFormService(this.facts));
		configuration.setDefaultUserPermissionNameForTask(Permissions.TASK_WORK.getName());
		// An error thrown at a task that nothing catches would otherwise end the process silently.
		configuration.setEnableExceptionsAfterUnhandledBpmnError(true);
	}

	static final class CapturingTaskService extends TaskServiceImpl {

		@Override
		public void complete(String taskId, Map<String, Object> variables) {
			Submissions.during(taskId, variables, () -> {
				super.complete(taskId, variables);
				return null;
			});
		}

		@Override
		public VariableMap completeWithVariablesInReturn(String taskId, Map<String, Object> variables,
				boolean deserializeValues) {
			return Submissions.during(taskId, variables,
					() -> super.completeWithVariablesInReturn(taskId, variables, deserializeValues));
		}

		@Override
		public void handleBpmnError(String taskId, String errorCode, String errorMessage,
				Map<String, Object> variables) {
			throw decideInstead(taskId);
		}

		@Override
		public void handleBpmnError(String taskId, String errorCode, String errorMessage) {
			throw decideInstead(taskId);
		}

		@Override
		public void handleBpmnError(String taskId, String errorCode) {
			throw decideInstead(taskId);
		}

		@Override
		public void handleEscalation(String taskId, String escalationCode, Map<String, Object> variables) {
			throw decideInstead(taskId);
		}

		@Override
		public void handleEscalation(String taskId, String escalationCode) {
			throw decideInstead(taskId);
		}

		private static ApprovalRefusedException decideInstead(String taskId) {
			return new ApprovalRefusedException("decide-through-form", "task " + taskId
					+ " ends only by completing it with a decision; no playbook catches errors or escalations thrown"
					+ " at a human task");
		}

	}

	static final class FactsFormService extends FormServiceImpl {

		private final ObjectProvider<TaskFormFacts> facts;

		FactsFormService(ObjectProvider<TaskFormFacts> facts) {
			this.facts = facts;
		}

		@Override
		public void submitTaskForm(String taskId, Map<String, Object> properties) {
			Submissions.during(taskId, properties, () -> {
				super.submitTaskForm(taskId, properties);
				return null;
			});
		}

		@Override
		public VariableMap submitTaskFormWithVariablesInReturn(String taskId, Map<String, Object> properties,
				boolean deserializeValues) {
			return Submissions.during(taskId, properties,
					() -> super.submitTaskFormWithVariablesInReturn(taskId, properties, deserializeValues));
		}

		@Override
		public VariableMap getTaskFormVariables(String taskId, Collection<String> formVariables,
				boolean deserializeObjectValues) {
			VariableMap variables = super.getTaskFormVariables(taskId, formVariables, deserializeObjectValues);
			// The caller was just allowed to read this task's form; the providers read what the form shows about it
			// (the process it belongs to included) on the engine's behalf, as the task's own listeners would.
			Map<String, Object> facts = this.commandExecutor.execute(context -> context.runWithoutAuthorization(() -> {
				Map<String, Object> all = new java.util.HashMap<>();
				this.facts.orderedStream().forEach(provider -> all.putAll(provider.facts(taskId)));
				return all;
			}));
			facts.forEach((name, value) -> {
				if (formVariables == null || formVariables.contains(name) || variables.containsKey(name)) {
					variables.putValueTyped(name, typed(value));
				}
			});
			return variables;
		}

		private static TypedValue typed(Object value) {
			if (value == null) {
				return Variables.untypedNullValue();
			}
			if (value instanceof Integer number) {
				return Variables.integerValue(number);
			}
			if (value instanceof Long number) {
				return Variables.longValue(number);
			}
			if (value instanceof Boolean flag) {
				return Variables.booleanValue(flag);
			}
			return Variables.stringValue(value.toString());
		}

	}

}
