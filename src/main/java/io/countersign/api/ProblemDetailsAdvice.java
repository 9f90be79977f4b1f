package io.countersign.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.countersign.inventory.InventoryConflictException;
import jakarta.validation.ConstraintViolationException;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.lang.Nullable;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error of our API into RFC 9457 {@code application/problem+json}. Details name the
 * offending field, so an integrator can fix the request without reading our logs.
 */
@RestControllerAdvice(basePackages = "io.countersign")
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	/** Long enough for a connection pool to find a restarted database again, short enough to keep agents waiting. */
	static final String RETRY_AFTER_SECONDS = "5";

	/** "Refused by rule 'x': ...", how the gate's refusals begin on every channel. */
	private static final Pattern GATE_RULE = Pattern.compile("^Refused by rule '([^']+)'");

	/**
	 * The gate serves Tasklist, engine-rest and our API alike and names the engine's variables; our API's JSON names
	 * differ for one of them, and a client must find in the answer the name it sent.
	 */
	private static final Map<String, String> API_NAMES = Map.of("approvedFingerprint", "fingerprint");

	/** The submitted field each of the gate's input rules checks, by its name on our API. */
	private static final Map<String, String> RULE_FIELDS = Map.of("fingerprint-match", "fingerprint",
			"decision-required", "decision", "reason-required", "reason", "narrow-subset", "narrowedTo",
			"monitor-period", "monitorFor", "confirmation-required", "confirmations");

	@ExceptionHandler(ApiException.class)
	ProblemDetail api(ApiException ex) {
		ProblemDetail problem = problem(ex.status(), ex.getMessage());
		if (ex.field() != null) {
			problem.setProperty("field", ex.field());
		}
		return problem;
	}

	@ExceptionHandler(AuthorizationException.class)
	ProblemDetail forbidden(AuthorizationException ex) {
		ProblemDetail problem = problem(HttpStatus.FORBIDDEN, ex.getMessage());
		rule(ex.getMessage()).ifPresent(rule -> problem.setProperty("rule", rule));
		return problem;
	}

	@ExceptionHandler({ BadUserRequestException.class, FormFieldValidationException.class })
	ProblemDetail badRequest(ProcessEngineException ex) {
		String detail = ex.getMessage();
		if (detail != null) {
			for (Map.Entry<String, String> name : API_NAMES.entrySet()) {
				detail = detail.replaceAll("\\b" + name.getKey() + "\\b", name.getValue());
			}
		}
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, detail);
		rule(ex.getMessage()).ifPresent(rule -> {
			problem.setProperty("rule", rule);
			if (RULE_FIELDS.containsKey(rule)) {
				problem.setProperty("field", RULE_FIELDS.get(rule));
			}
		});
		return problem;
	}

	private static Optional<String> rule(String message) {
		Matcher matcher = GATE_RULE.matcher(message == null ? "" : message);
		return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
	}

	@ExceptionHandler(OptimisticLockingException.class)
	ProblemDetail concurrentChange(OptimisticLockingException ex) {
		return problem(HttpStatus.CONFLICT, "The response changed concurrently; read it again and retry");
	}

	@ExceptionHandler(InventoryConflictException.class)
	ProblemDetail inventoryConflict(InventoryConflictException ex) {
		return problem(HttpStatus.CONFLICT, ex.getMessage());
	}

	/**
	 * Whatever no handler above names: a lost race or a database outage, however deeply wrapped, is told as such
	 * (409, or 503 with Retry-After); anything else is our bug, logged once with its stack trace and answered as a
	 * problem without internals. Spring Security's exceptions go on to its own handlers.
	 */
	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> unexpected(Exception ex) throws Exception {
		if (ex instanceof AccessDeniedException || ex instanceof AuthenticationException) {
			throw ex;
		}
		return switch (DatabaseFailures.classify(ex)) {
			case CONFLICT -> {
				log.warn("Conflict answered 409: {}", ex.toString());
				yield ResponseEntity.status(HttpStatus.CONFLICT)
					.body(problem(HttpStatus.CONFLICT, "The data changed concurrently; read it again and retry"));
			}
			case UNAVAILABLE -> {
				log.warn("Database or identity provider unavailable, answered 503: {}", ex.toString());
				yield ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
					.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
					.body(problem(HttpStatus.SERVICE_UNAVAILABLE, DatabaseFailures.unavailableDetail(ex)));
			}
			case OTHER -> {
				log.error("Request failed", ex);
				yield ResponseEntity.internalServerError()
					.body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error; the server log has the details"));
			}
		};
	}

	@ExceptionHandler(ConstraintViolationException.class)
	ProblemDetail constraint(ConstraintViolationException ex) {
		String detail = ex.getConstraintViolations()
			.stream()
			.map(v -> lastNode(v.getPropertyPath().toString()) + ": " + v.getMessage())
			.sorted()
			.collect(Collectors.joining("; "));
		return problem(HttpStatus.BAD_REQUEST, detail);
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<String> fields = ex.getBindingResult().getFieldErrors().stream().map(e -> e.getField()).distinct().toList();
		String detail = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map(e -> e.getField() + ": " + e.getDefaultMessage())
			.sorted()
			.collect(Collectors.joining("; "));
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, detail);
		problem.setProperty("fields", fields);
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		String detail = ex.getAllErrors()
			.stream()
			.map(e -> e.getDefaultMessage())
			.collect(Collectors.joining("; "));
		return ResponseEntity.badRequest().body(problem(HttpStatus.BAD_REQUEST, "Invalid request: " + detail));
	}

	@Override
	protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String name = ex.getPropertyName();
		String type = ex.getRequiredType() == null ? "value" : ex.getRequiredType().getSimpleName();
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Parameter '" + name + "' is not a valid " + type);
		if (name != null) {
			problem.setProperty("field", name);
		}
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST,
				"Parameter '" + ex.getParameterName() + "' is required");
		problem.setProperty("field", ex.getParameterName());
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		String detail = "Malformed JSON request body";
		String field = null;
		Throwable cause = ex.getCause();
		if (cause instanceof RequestBodyLimitFilter.BodyTooLargeException tooLarge) {
			return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE)
				.body(problem(HttpStatus.PAYLOAD_TOO_LARGE, tooLarge.getMessage()));
		}
		if (cause instanceof UnrecognizedPropertyException unknown) {
			detail = "Unknown field '" + unknown.getPropertyName() + "'";
			field = unknown.getPropertyName();
		}
		else if (cause instanceof InvalidFormatException || cause instanceof ValueInstantiationException) {
			JsonMappingException mapping = (JsonMappingException) cause;
			String reason = mapping.getCause() != null ? mapping.getCause().getMessage()
					: cause instanceof InvalidFormatException ? mapping.getOriginalMessage() : "has an invalid value";
			detail = "Field '" + path(mapping) + "' " + reason;
			field = mapping.getPath().isEmpty() ? null : path(mapping);
		}
		else if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
			detail = "Field '" + path(mapping) + "' has an invalid value";
			field = path(mapping);
		}
		else if (ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")) {
			detail = "A JSON request body is required";
		}
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, detail);
		if (field != null) {
			problem.setProperty("field", field);
		}
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, @Nullable Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		if (statusCode.is5xxServerError()) {
			log.error("Request failed", ex);
		}
		return super.handleExceptionInternal(ex, body, headers, statusCode, request);
	}

	private static String path(JsonMappingException ex) {
		return ex.getPath()
			.stream()
			.map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
			.collect(Collectors.joining("."));
	}

	private static String lastNode(String path) {
		int dot = path.lastIndexOf('.');
		return dot < 0 ? path : path.substring(dot + 1);
	}

	static ProblemDetail problem(HttpStatus status, String detail) {
		return ProblemDetail.forStatusAndDetail(status, detail);
	}

}
