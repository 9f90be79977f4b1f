package io.countersign.response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.countersign.audit.Ledger;
import org.camunda.bpm.engine.EntityTypes;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.event.UserOperationLogEntryEventEntity;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What an engine-rest user can do to a response's process instances behind the playbook's back, seen by the engine
 * itself, so no channel and no flag skips it. The engine's internals stay in this one class.
 * <ul>
 * <li>An instance that ends cancelled (deleted, or every activity cancelled by a modification) ends its response
 * with the status our tables give ({@link ResponseOutcomes#cancelled}). The end listener is added to every process
 * as a built-in listener: {@code skipCustomListeners=true} skips the diagram's listeners and those added as custom,
 * but never the built-in ones the engine needs for its own history.</li>
 * <li>Changes to a job or job definition (due date moved, suspended, activated, retries) are in the ledger, under
 * the response whose instance holds the job. They come from the engine's user operation log, which records every
 * such change by an authenticated user whatever the channel.</li>
 * <li>An outcome refused by {@link ResponseOutcomes} reaches the caller as itself (403 on engine-rest), not wrapped.</li>
 * </ul>
 */
@Component
class ResponseEnginePlugin extends AbstractProcessEnginePlugin {

	/** The process instance holding the job is not a response's: the entry goes to the global chain. */
	private static final String NO_RESPONSE = null;

	private final ObjectProvider<ResponseOutcomes> outcomes;

	private final ObjectProvider<Ledger> ledger;

	// Lazily: the beans need the engine this plugin configures.
	ResponseEnginePlugin(ObjectProvider<ResponseOutcomes> outcomes, ObjectProvider<Ledger> ledger) {
		this.outcomes = outcomes;
		this.ledger = ledger;
	}

	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		List<BpmnParseListener> parseListeners = configuration.getCustomPostBPMNParseListeners() == null
				? new ArrayList<>() : new ArrayList<>(configuration.getCustomPostBPMNParseListeners());
		parseListeners.add(new AbstractBpmnParseListener() {

			@Override
			public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
				processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_END, endListener(processDefinition.getKey()));
			}

		});
		configuration.setCustomPostBPMNParseListeners(parseListeners);
		List<HistoryEventHandler> handlers = configuration.getCustomHistoryEventHandlers() == null ? new ArrayList<>()
				: new ArrayList<>(configuration.getCustomHistoryEventHandlers());
		handlers.add(new JobChanges());
		configuration.setCustomHistoryEventHandlers(handlers);
		List<CommandInterceptor> interceptors = configuration.getCustomPreCommandInterceptorsTxRequired() == null
				? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
		interceptors.add(new RefusedOutcomeUnwrapping());
		configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
	}

	/** The engine wraps a listener's exception in a generic one (a 500); the caller gets the refusal itself. */
	private static final class RefusedOutcomeUnwrapping extends CommandInterceptor {

		@Override
		public <T> T execute(Command<T> command) {
			try {
				return this.next.execute(command);
			}
			catch (ProcessEngineException ex) {
				for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
					if (cause instanceof OutcomeRefusedException refused) {
						throw refused;
					}
				}
				throw ex;
			}
		}

	}

	private ExecutionListener endListener(String processKey) {
		return execution -> {
			if (execution.isCanceled() && execution.getProcessBusinessKey() != null
					&& Objects.equals(execution.getId(), execution.getProcessInstanceId())) {
				this.outcomes.getObject().cancelled(execution.getProcessBusinessKey(), processKey);
			}
		};
	}

	private final class JobChanges implements HistoryEventHandler {

		@Override
		public void handleEvent(HistoryEvent event) {
			if (!(event instanceof UserOperationLogEntryEventEntity entry)
					|| !(EntityTypes.JOB.equals(entry.getEntityType())
							|| EntityTypes.JOB_DEFINITION.equals(entry.getEntityType()))) {
				return;
			}
			String responseId = NO_RESPONSE;
			String activity = null;
			if (entry.getProcessInstanceId() != null) {
				ExecutionEntity instance = Context.getCommandContext()
					.getExecutionManager()
					.findExecutionById(entry.getProcessInstanceId());
				responseId = instance == null ? NO_RESPONSE : instance.getBusinessKey();
			}
			if (entry.getJobId() != null) {
				JobEntity job = Context.getCommandContext().getJobManager().findJobById(entry.getJobId());
				activity = job == null ? null : job.getActivityId();
			}
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("operation", entry.getOperationType());
			data.put("entityType", entry.getEntityType());
			put(data, "jobId", entry.getJobId());
			put(data, "jobDefinitionId", entry.getJobDefinitionId());
			put(data, "activity", activity);
			put(data, "processDefinitionKey", entry.getProcessDefinitionKey());
			put(data, "processInstanceId", entry.getProcessInstanceId());
			put(data, "property", entry.getProperty());
			put(data, "from", entry.getOrgValue());
			put(data, "to", entry.getNewValue());
			ResponseEnginePlugin.this.ledger.getObject()
				.append(responseId, "JOB_CHANGED", entry.getUserId(),
						entry.getOperationType() + " of " + entry.getEntityType().toLowerCase()
								+ (activity == null ? "" : " at " + activity)
								+ (entry.getProcessDefinitionKey() == null ? "" : " of " + entry.getProcessDefinitionKey())
								+ (entry.getProperty() == null ? ""
										: ": " + entry.getProperty() + " " + entry.getOrgValue() + " -> "
												+ entry.getNewValue()),
						data);
		}

		@Override
		public void handleEvents(List<HistoryEvent> events) {
			events.forEach(this::handleEvent);
		}

		private static void put(Map<String, Object> data, String key, String value) {
			if (value != null) {
				data.put(key, value);
			}
		}

	}

}
