package io.countersign.gate;

import java.util.ArrayList;
import java.util.List;

import io.countersign.api.DatabaseFailures;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * One log line per failed engine command, at the level it deserves. The engine logs every command exception at ERROR
 * with its whole stack (ENGINE-16004, ~180 lines), including the refusals that are the gate doing its job. Here a
 * refusal, a missing permission, an invalid form or a lost race is one WARN line naming the command and the reason;
 * anything else, which an operator must look at, is one ERROR with the stack trace. Only the outermost command logs,
 * so a failure that travels up through nested commands is written once.
 */
@Component
class CommandFailureLogging extends AbstractProcessEnginePlugin {

	private static final Logger log = LoggerFactory.getLogger(CommandFailureLogging.class);

	private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

	@Override
	public void preInit(ProcessEngineConfigurationImpl configuration) {
		configuration.setEnableCmdExceptionLogging(false);
		configuration.setCustomPreCommandInterceptorsTxRequired(with(configuration.getCustomPreCommandInterceptorsTxRequired()));
		configuration
			.setCustomPreCommandInterceptorsTxRequiresNew(with(configuration.getCustomPreCommandInterceptorsTxRequiresNew()));
	}

	private static List<CommandInterceptor> with(List<CommandInterceptor> existing) {
		List<CommandInterceptor> interceptors = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
		interceptors.add(0, new Logging());
		return interceptors;
	}

	/**
	 * True for what a caller caused and is told about: nothing for an operator to do. A missing entity
	 * (NullValueException) is a stale id or a task another completion ended first.
	 */
	static boolean expected(Throwable failure) {
		return failure instanceof GateRefusal || failure instanceof AuthorizationException
				|| failure instanceof FormFieldValidationException || failure instanceof OptimisticLockingException
				|| failure instanceof BadUserRequestException || failure instanceof NullValueException
				|| DatabaseFailures.classify(failure) == DatabaseFailures.Kind.CONFLICT;
	}

	private static final class Logging extends CommandInterceptor {

		@Override
		public <T> T execute(Command<T> command) {
			int[] depth = DEPTH.get();
			depth[0]++;
			try {
				return this.next.execute(command);
			}
			catch (RuntimeException | Error failure) {
				if (depth[0] == 1) {
					report(command, failure);
				}
				throw failure;
			}
			finally {
				if (--depth[0] == 0) {
					DEPTH.remove();
				}
			}
		}

		private static void report(Command<?> command, Throwable failure) {
			String name = command.getClass().getSimpleName();
			if (expected(failure)) {
				log.warn("{} refused: {}", name, failure.getMessage());
			}
			else {
				log.error("{} failed", name, failure);
			}
		}

	}

}
