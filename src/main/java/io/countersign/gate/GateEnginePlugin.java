package io.countersign.gate;

import java.util.ArrayList;
import java.util.List;

import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;

import org.springframework.stereotype.Component;

/**
 * The engine wraps every task-listener exception in a generic ProcessEngineException, which
 * engine-rest and Tasklist report as a 500. This interceptor hands the gate's own refusal back
 * to the caller instead, so every channel answers 403 or 400 with the rule that refused.
 */
@Component
class GateEnginePlugin extends AbstractProcessEnginePlugin {

	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		List<CommandInterceptor> interceptors = configuration.getCustomPreCommandInterceptorsTxRequired() == null
				? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
		interceptors.add(new RefusalUnwrappingInterceptor());
		configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
	}

	static final class RefusalUnwrappingInterceptor extends CommandInterceptor {

		@Override
		public <T> T execute(Command<T> command) {
			try {
				return this.next.execute(command);
			}
			catch (ProcessEngineException ex) {
				for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
					if (cause instanceof GateRefusal && cause instanceof ProcessEngineException refusal) {
						throw refusal;
					}
				}
				throw ex;
			}
		}

	}

}
