package io.countersign.api;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, before any controller runs, what the API cannot answer cleanly further in: a Content-Type with a wildcard
 * (a request body has one concrete type; Spring fails with a server error on {@code *}/{@code *}) or a multipart
 * one (no endpoint takes uploads), and query
 * parameters with text that no database stores alike ({@link TextRules}) or broken percent-encoding.
 */
@Component
class RequestEdgeFilter extends OncePerRequestFilter {

	private final ObjectMapper objectMapper;

	RequestEdgeFilter(ObjectMapper objectMapper) {
		this.objectMapper = objectMapper;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String contentType = request.getContentType();
		if (contentType != null) {
			String problem = contentTypeProblem(contentType);
			if (problem != null) {
				refuse(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, problem);
				return;
			}
		}
		String query = request.getQueryString();
		if (query != null) {
			String problem = queryProblem(query);
			if (problem != null) {
				refuse(response, HttpStatus.BAD_REQUEST, problem);
				return;
			}
		}
		chain.doFilter(request, response);
	}

	private static String contentTypeProblem(String contentType) {
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			if (type.isWildcardType() || type.isWildcardSubtype()) {
				return "Content-Type '" + contentType + "' is a wildcard; send the body's actual type, "
						+ MediaType.APPLICATION_JSON_VALUE;
			}
			if ("multipart".equals(type.getType())) {
				// Spring would parse it before any handler is chosen, and answer a missing boundary with a 500.
				return "Content-Type '" + contentType + "' is not accepted here; send " + MediaType.APPLICATION_JSON_VALUE;
			}
			return null;
		}
		catch (InvalidMediaTypeException ex) {
			return "Content-Type '" + contentType + "' is not a media type; send " + MediaType.APPLICATION_JSON_VALUE;
		}
	}

	private static String queryProblem(String query) {
		for (String pair : query.split("&")) {
			int equals = pair.indexOf('=');
			String name = equals < 0 ? pair : pair.substring(0, equals);
			String value = equals < 0 ? "" : pair.substring(equals + 1);
			String decodedName;
			String decodedValue;
			try {
				decodedName = URLDecoder.decode(name, StandardCharsets.UTF_8);
				decodedValue = URLDecoder.decode(value, StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				return "Query parameter '" + name + "' is not valid percent-encoding";
			}
			String problem = TextRules.problem(decodedName + decodedValue);
			if (problem != null) {
				return "Query parameter '" + decodedName.replace("\u0000", "") + "' " + problem;
			}
		}
		return null;
	}

	private void refuse(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
		ProblemDetail problem = ProblemDetailsAdvice.problem(status, detail);
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		this.objectMapper.writeValue(response.getOutputStream(), problem);
	}

}
