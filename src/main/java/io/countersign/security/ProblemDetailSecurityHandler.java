package io.countersign.security;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.stereotype.Component;

/**
 * Answers 401 and 403 as RFC 9457 problem details, like every other error of the API. Spring Security decides these
 * before a controller runs, so the MVC problem-details support never sees them.
 */
@Component
class ProblemDetailSecurityHandler implements AuthenticationEntryPoint, AccessDeniedHandler {

	static final String REALM = "countersign";

	private final ObjectMapper objectMapper;

	ProblemDetailSecurityHandler(ObjectMapper objectMapper) {
		this.objectMapper = objectMapper;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException {
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\"");
		// The same detail for "no credentials", "unknown user", "wrong password" and "locked": nothing to probe.
		write(response, HttpStatus.UNAUTHORIZED,
				"Send the HTTP Basic credentials of a Countersign user to call this endpoint.");
	}

	/**
	 * A 401 with another challenge ({@code null}: none, for the webapps' XHRs, where a Basic challenge would open the
	 * browser's password dialog) and another detail.
	 */
	AuthenticationEntryPoint entryPoint(String challenge, String detail) {
		return (request, response, exception) -> {
			if (challenge != null) {
				response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
			}
			write(response, HttpStatus.UNAUTHORIZED, detail);
		};
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException exception)
			throws IOException {
		write(response, HttpStatus.FORBIDDEN, "None of your groups may perform this operation.");
	}

	private void write(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		this.objectMapper.writeValue(response.getOutputStream(), problem);
	}

}
