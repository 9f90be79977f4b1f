package io.countersign.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.rest.exception.ProcessEngineExceptionHandler;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.jersey.ResourceConfigCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Engine-rest answers some client errors as server errors. A lost race (two people completing the same approval task
 * at once, or a decision that another one closed first) is a conflict: the earlier decision stands and the caller
 * should read the task again, so it is answered 409 problem+json, with {@code message} and {@code type} kept as
 * engine-rest writes them so that Tasklist shows the text as it shows any other error. A database outage is a 503, a
 * diagram the parser refused a 400.
 */
@Configuration(proxyBeanMethods = false)
class EngineRestErrors {

	private static final Logger log = LoggerFactory.getLogger(EngineRestErrors.class);

	@Bean
	ResourceConfigCustomizer clientErrorsAsClientErrors() {
		return config -> {
			config.register(ConflictMapper.class);
			config.register(WrappedConflictMapper.class);
			config.register(EngineFailureMapper.class);
		};
	}

	/**
	 * Engine-rest's task resource wraps every engine exception of {@code complete} and {@code submit-form} in a
	 * {@link RestException} with status 500. A conflict inside one is answered 409; anything else is answered exactly
	 * as engine-rest would.
	 */
	@Priority(Priorities.USER - 100)
	static final class WrappedConflictMapper implements ExceptionMapper<RestException> {

		private final RestExceptionHandler engineRest = new RestExceptionHandler();

		@Override
		public Response toResponse(RestException ex) {
			for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
				if (cause instanceof OptimisticLockingException conflict) {
					return conflict(conflict.getMessage());
				}
				if (cause instanceof ProcessEngineException engine && !(cause instanceof NullValueException)) {
					Response classified = classified(engine);
					if (classified != null) {
						return classified;
					}
				}
				// Completing a task that a concurrent completion has just ended: the same lost race, seen later.
				if (cause instanceof NullValueException && ex.getMessage() != null
						&& (ex.getMessage().startsWith("Cannot complete task")
								|| ex.getMessage().startsWith("Cannot submit task form"))) {
					return conflict(ex.getMessage() + " (it was completed or ended; read the task list again)");
				}
			}
			return this.engineRest.toResponse(ex);
		}

	}

	/**
	 * An engine exception that is a lost race underneath (on H2 a lock timeout on a row the winner holds, HYT00) or a
	 * database outage is answered 409 or 503; a diagram the parser refused (a script, a Java class), which deployment
	 * wraps in a generic engine exception, is a 400; anything else is answered exactly as engine-rest would.
	 */
	@Priority(Priorities.USER - 100)
	static final class EngineFailureMapper implements ExceptionMapper<ProcessEngineException> {

		private final ProcessEngineExceptionHandler engineRest = new ProcessEngineExceptionHandler();

		@Override
		public Response toResponse(ProcessEngineException ex) {
			if (!(ex instanceof BadUserRequestException)) {
				for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
					if (cause instanceof BadUserRequestException refused) {
						return badRequest(refused.getMessage());
					}
				}
			}
			Response classified = classified(ex);
			return classified != null ? classified : this.engineRest.toResponse(ex);
		}

	}

	private static Response badRequest(String message) {
		log.warn("Engine-rest request refused with 400: {}", message);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", BadUserRequestException.class.getSimpleName());
		body.put("message", message);
		return Response.status(Response.Status.BAD_REQUEST).type("application/json").entity(body).build();
	}

	private static Response classified(Throwable failure) {
		return switch (DatabaseFailures.classify(failure)) {
			case CONFLICT -> conflict("The data changed concurrently; read it again and retry");
			case UNAVAILABLE -> unavailable(failure);
			case OTHER -> null;
		};
	}

	static Response unavailable(Throwable failure) {
		String message = DatabaseFailures.unavailableDetail(failure);
		log.warn("Engine-rest answered 503: {}", message);
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "ServiceUnavailable");
		problem.put("title", "Service Unavailable");
		problem.put("status", 503);
		problem.put("detail", message);
		problem.put("message", message);
		return Response.status(Response.Status.SERVICE_UNAVAILABLE)
			.type("application/problem+json")
			.header("Retry-After", ProblemDetailsAdvice.RETRY_AFTER_SECONDS)
			.entity(problem)
			.build();
	}

	static final class ConflictMapper implements ExceptionMapper<OptimisticLockingException> {

		@Override
		public Response toResponse(OptimisticLockingException ex) {
			return conflict(ex.getMessage());
		}

	}

	static Response conflict(String message) {
		log.warn("Engine-rest conflict answered 409: {}", message);
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", OptimisticLockingException.class.getSimpleName());
		problem.put("title", "Conflict");
		problem.put("status", 409);
		problem.put("detail", message);
		problem.put("message", message);
		return Response.status(Response.Status.CONFLICT).type("application/problem+json").entity(problem).build();
	}

}
