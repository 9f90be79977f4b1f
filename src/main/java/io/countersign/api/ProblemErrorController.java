package io.countersign.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.autoconfigure.web.servlet.error.BasicErrorController;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorViewResolver;
import org.springframework.boot.web.servlet.error.ErrorAttributes;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.servlet.ModelAndView;

/**
 * Errors that never reach a controller of ours (no handler matched the Content-Type, a filter or the servlet container
 * failed, the database went away under a filter) end at {@code /error}. For the API they are answered as
 * problem+json like everything else, whatever the Accept header; the webapps keep Spring Boot's pages.
 */
@Controller
class ProblemErrorController extends BasicErrorController {

	private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

	private final ErrorAttributes errorAttributes;

	private final ObjectMapper objectMapper;

	ProblemErrorController(ErrorAttributes errorAttributes, ServerProperties server,
			List<ErrorViewResolver> resolvers, ObjectMapper objectMapper) {
		super(errorAttributes, server.getError(), resolvers);
		this.errorAttributes = errorAttributes;
		this.objectMapper = objectMapper;
	}

	@Override
	public ModelAndView errorHtml(HttpServletRequest request, HttpServletResponse response) {
		if (!isApi(request)) {
			return super.errorHtml(request, response);
		}
		ResponseEntity<Map<String, Object>> problem = error(request);
		response.setStatus(problem.getStatusCode().value());
		problem.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
		try {
			this.objectMapper.writeValue(response.getOutputStream(), problem.getBody());
		}
		catch (IOException ex) {
			log.debug("Could not write the problem to a client that left: {}", ex.toString());
		}
		return null;
	}

	@Override
	public ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
		HttpStatus status = getStatus(request);
		Throwable failure = this.errorAttributes.getError(new ServletWebRequest(request));
		HttpHeaders headers = new HttpHeaders();
		String detail = null;
		if (status.is5xxServerError() && failure != null) {
			switch (DatabaseFailures.classify(failure)) {
				case CONFLICT -> {
					status = HttpStatus.CONFLICT;
					detail = "The data changed concurrently; read it again and retry";
				}
				case UNAVAILABLE -> {
					status = HttpStatus.SERVICE_UNAVAILABLE;
					detail = DatabaseFailures.unavailableDetail(failure);
					headers.set(HttpHeaders.RETRY_AFTER, ProblemDetailsAdvice.RETRY_AFTER_SECONDS);
				}
				case OTHER -> log.error("Request to {} failed", request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI),
						failure);
			}
		}
		if (detail == null) {
			detail = switch (status) {
				case UNSUPPORTED_MEDIA_TYPE -> "Send the request body as " + MediaType.APPLICATION_JSON_VALUE;
				case NOT_ACCEPTABLE -> "This endpoint answers " + MediaType.APPLICATION_JSON_VALUE;
				case NOT_FOUND -> "No operation of the API is at this path; see /v3/api-docs";
				case METHOD_NOT_ALLOWED -> request.getMethod() + " is not allowed at this path; the Allow header lists "
						+ "what is";
				case INTERNAL_SERVER_ERROR -> "Internal error; the server log has the details";
				default -> status.getReasonPhrase();
			};
		}
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", status.getReasonPhrase());
		problem.put("status", status.value());
		problem.put("detail", detail);
		Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		if (path != null) {
			problem.put("instance", path.toString());
		}
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return new ResponseEntity<>(problem, headers, status);
	}

	private static boolean isApi(HttpServletRequest request) {
		Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		return uri != null && uri.toString().startsWith(request.getContextPath() + "/api/");
	}

}
