package io.countersign.api;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.firewall.HttpStatusRequestRejectedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

/**
 * Spring Security's firewall refuses some requests before any filter of ours runs (an unknown method such as
 * {@code FOO} or {@code TRACE}, {@code ..} or {@code ;} in the path). Its default answer is a bare 400 through the
 * error page, and for a method the firewall refuses, the error page's own dispatch is refused too, leaving an empty
 * body. On the API the problem is written here instead, in one go. During an error dispatch (Tomcat's own 405 for
 * {@code TRACE}, say) the status Tomcat chose is kept.
 */
@Component
class ProblemRequestRejectedHandler implements RequestRejectedHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemRequestRejectedHandler.class);

	private final RequestRejectedHandler webapps = new HttpStatusRequestRejectedHandler();

	private final ObjectMapper objectMapper;

	ProblemRequestRejectedHandler(ObjectMapper objectMapper) {
		this.objectMapper = objectMapper;
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response,
			RequestRejectedException rejected) throws IOException, ServletException {
		if (!isApi(request)) {
			this.webapps.handle(request, response, rejected);
			return;
		}
		if (response.isCommitted()) {
			return;
		}
		HttpStatus status = HttpStatus.BAD_REQUEST;
		if (request.getDispatcherType() == DispatcherType.ERROR
				&& request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code) {
			HttpStatus original = HttpStatus.resolve(code);
			if (original != null && original.isError()) {
				status = original;
			}
		}
		log.debug("Request refused by the firewall, answered {}: {}", status.value(), rejected.getMessage());
		ProblemDetail problem = ProblemDetailsAdvice.problem(status,
				status == HttpStatus.BAD_REQUEST ? rejected.getMessage() : "Method " + request.getMethod()
						+ " is not allowed");
		response.resetBuffer();
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		this.objectMapper.writeValue(response.getOutputStream(), problem);
	}

	private static boolean isApi(HttpServletRequest request) {
		Object original = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		String uri = request.getDispatcherType() == DispatcherType.ERROR && original != null ? original.toString()
				: request.getRequestURI();
		if (uri == null) {
			return false;
		}
		String path = uri.substring(Math.min(uri.length(), request.getContextPath().length())).replaceFirst("^/+", "/");
		return path.equals("/api") || path.startsWith("/api/") || path.startsWith("/api;");
	}

}
