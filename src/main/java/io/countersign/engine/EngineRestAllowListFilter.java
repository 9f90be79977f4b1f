package io.countersign.engine;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.camunda.bpm.webapp.impl.security.auth.Authentication;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Answers every engine-rest call that {@link EngineRestAllowList} does not name with a 404 problem, before engine-rest
 * sees it: on {@code /engine-rest/**} and on the webapps' own copy of engine-rest, {@code /camunda/api/engine/**}.
 *
 * <p>The path is read from the request line as sent, segment by segment, because that is what Jersey routes on;
 * Tomcat's servlet path is decoded and normalised and could name another endpoint. A path whose meaning depends on who
 * reads it (path parameters, dot segments, empty segments, encoded slashes, backslashes, dots or semicolons) is refused
 * the same way: no client of the list sends one.
 */
final class EngineRestAllowListFilter extends OncePerRequestFilter {

	static final URI PROBLEM_TYPE = URI.create("urn:countersign:problem:engine-rest-endpoint-not-available");

	static final String PROBLEM_TITLE = "Endpoint not available in this deployment";

	private static final Logger log = LoggerFactory.getLogger(EngineRestAllowListFilter.class);

	/** What Tomcat and Jersey could each read differently; all of them are refused. */
	private static final List<String> AMBIGUOUS = List.of(";", "\\", "%2f", "%5c", "%2e", "%3b", "%00", "%25");

	private static final int LOGGED_PATH_LENGTH = 300;

	/** A root under which engine-rest is served; {@code namedOnly} when every path below it starts /engine/{name}. */
	record Root(List<String> segments, boolean namedOnly) {

		static Root of(String path, boolean namedOnly) {
			return new Root(EngineRestAllowList.segments(path), namedOnly);
		}

	}

	/** What a request asks for: the segments below the engine root, or null when the path is refused as ambiguous. */
	record Target(List<String> segments) {

	}

	private final List<Root> roots;

	private final ObjectMapper objectMapper;

	private final Counter refused;

	EngineRestAllowListFilter(List<Root> roots, ObjectMapper objectMapper, MeterRegistry meters) {
		this.roots = List.copyOf(roots);
		this.objectMapper = objectMapper;
		this.refused = Counter.builder("countersign.engine.rest.refused")
			.description("Engine-rest calls refused because the allow-list does not name them")
			.register(meters);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String uri = request.getRequestURI();
		String contextPath = request.getContextPath();
		String path = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : null;
		Target target = path == null ? null : target(path, this.roots);
		if (target != null && target.segments() != null
				&& EngineRestAllowList.permits(request.getMethod(), target.segments())) {
			chain.doFilter(request, response);
			return;
		}
		refuse(request, response, path == null ? uri : path);
	}

	/**
	 * The engine endpoint {@code path} (below the context path, undecoded) asks for: {@code /engine} for the list of
	 * engines, otherwise the path below {@code /engine/{name}} or, on a root that serves the default engine, below the
	 * root. A {@link Target} without segments when the path is ambiguous or no endpoint at all; null when it is under
	 * none of the roots.
	 */
	static Target target(String path, List<Root> roots) {
		List<String> segments = decodedSegments(path);
		if (segments == null) {
			return new Target(null);
		}
		for (Root root : roots) {
			int size = root.segments().size();
			if (segments.size() < size || !segments.subList(0, size).equals(root.segments())) {
				continue;
			}
			List<String> below = segments.subList(size, segments.size());
			if (!below.isEmpty() && below.get(0).equals("engine")) {
				if (below.size() == 1) {
					return new Target(List.of("engine"));
				}
				// /engine/{name} itself is no endpoint.
				return new Target(below.size() > 2 ? List.copyOf(below.subList(2, below.size())) : null);
			}
			return new Target(root.namedOnly() || below.isEmpty() ? null : List.copyOf(below));
		}
		return null;
	}

	/** The path's segments, percent-decoded; null when the path is ambiguous. One trailing slash is ignored. */
	static List<String> decodedSegments(String path) {
		String lower = path.toLowerCase(Locale.ROOT);
		if (!path.startsWith("/") || AMBIGUOUS.stream().anyMatch(lower::contains)) {
			return null;
		}
		String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
		List<String> segments = new ArrayList<>();
		for (String segment : trimmed.substring(1).split("/", -1)) {
			if (segment.isEmpty() && trimmed.length() > 1) {
				return null;
			}
			String decoded;
			try {
				decoded = UriUtils.decode(segment, StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
			if (decoded.equals(".") || decoded.equals("..")) {
				return null;
			}
			if (!decoded.isEmpty()) {
				segments.add(decoded);
			}
		}
		return segments;
	}

	private void refuse(HttpServletRequest request, HttpServletResponse response, String path) throws IOException {
		this.refused.increment();
		// The path as sent, never the query (it may carry variable values) or the body.
		String shown = path.length() > LOGGED_PATH_LENGTH ? path.substring(0, LOGGED_PATH_LENGTH) + "…" : path;
		log.warn("Engine-rest call refused, not on the allow-list: {} {} by {}", request.getMethod(), shown,
				caller(request));
		String detail = request.getMethod() + " " + shown
				+ " is not served in this deployment: engine-rest answers only the endpoints listed in docs/engine-rest.md";
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail);
		problem.setType(PROBLEM_TYPE);
		problem.setTitle(PROBLEM_TITLE);
		// Tasklist and Cockpit show engine-rest's "message" in their error notification.
		problem.setProperty("message", detail);
		response.setStatus(HttpStatus.NOT_FOUND.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		this.objectMapper.writeValue(response.getOutputStream(), problem);
	}

	/** Engine-rest callers authenticated with Spring Security, webapp users in the webapps' session; else anonymous. */
	private static String caller(HttpServletRequest request) {
		org.springframework.security.core.Authentication basic = SecurityContextHolder.getContext().getAuthentication();
		if (basic != null && basic.isAuthenticated() && !(basic instanceof AnonymousAuthenticationToken)) {
			return basic.getName();
		}
		HttpSession session = request.getSession(false);
		// Where the webapps keep their logins (AuthenticationUtil's key); read as is, never created here.
		if (session != null && session.getAttribute("authenticatedUser") instanceof Authentications authentications) {
			List<String> users = authentications.getAuthentications()
				.stream()
				.map(Authentication::getName)
				.distinct()
				.toList();
			if (!users.isEmpty()) {
				return String.join(",", users) + " (webapp session)";
			}
		}
		return "an anonymous caller";
	}

}
