package io.countersign.security;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Throttles password guessing by source address on every channel that checks a password: HTTP Basic on our API,
 * engine-rest and actuator, and the Camunda webapps' login form. It runs before Spring Security and the webapps'
 * filters, so a blocked address never reaches a password check, right or wrong; a failure is a 401 answer to a
 * request that carried credentials.
 */
@Component
@Order(SecurityProperties.DEFAULT_FILTER_ORDER - 10)
class LoginThrottleFilter extends OncePerRequestFilter {

	/** The webapps' login: {@code POST /camunda/api/admin/auth/user/{engine}/login/{app}}. */
	static final String WEBAPP_LOGIN_PREFIX = "/camunda/api/admin/auth/user/";

	/** Where Spring Security checks HTTP Basic credentials (see {@link SecurityConfiguration}). */
	private static final String[] BASIC_PREFIXES = { "/api/", "/engine-rest/", "/actuator/" };

	/** The characters of an IPv4 or IPv6 literal; anything else in X-Forwarded-For is not an address. */
	private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

	private static final int MAX_FORWARDED_LENGTH = 1024;

	private final LoginThrottle throttle;

	private final Set<String> trustedProxies;

	private final ObjectMapper objectMapper;

	LoginThrottleFilter(LoginThrottle throttle, LoginThrottleProperties properties, ObjectMapper objectMapper) {
		this.throttle = throttle;
		this.trustedProxies = properties.trustedProxySet();
		this.objectMapper = objectMapper;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !carriesCredentials(request);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String address = clientAddress(request);
		Optional<Duration> blocked = this.throttle.blockedFor(address);
		if (blocked.isPresent()) {
			long seconds = Math.max(1, (blocked.get().toMillis() + 999) / 1000);
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
					"Too many failed logins from this address; try again in " + seconds + " seconds.");
			response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
			response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			this.objectMapper.writeValue(response.getOutputStream(), problem);
			return;
		}
		chain.doFilter(request, response);
		if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
			this.throttle.failed(address);
		}
	}

	private static boolean carriesCredentials(HttpServletRequest request) {
		String path = path(request);
		if ("POST".equals(request.getMethod()) && path.startsWith(WEBAPP_LOGIN_PREFIX)) {
			return true;
		}
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			return false;
		}
		for (String prefix : BASIC_PREFIXES) {
			if (path.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/** The decoded, normalized path the servlet container routes by, not the raw URI an attacker spells. */
	private static String path(HttpServletRequest request) {
		String pathInfo = request.getPathInfo();
		return request.getServletPath() + (pathInfo == null ? "" : pathInfo);
	}

	/**
	 * The connecting address, or, when it is a trusted proxy, the nearest address in X-Forwarded-For that is not one.
	 * A malformed header leaves the proxy's own address: its clients then share one bucket rather than pick theirs.
	 */
	String clientAddress(HttpServletRequest request) {
		String remote = request.getRemoteAddr();
		if (!this.trustedProxies.contains(remote)) {
			return remote;
		}
		String forwarded = String.join(",", Collections.list(request.getHeaders("X-Forwarded-For")));
		if (forwarded.isBlank() || forwarded.length() > MAX_FORWARDED_LENGTH) {
			return remote;
		}
		String[] hops = forwarded.split(",");
		for (int i = hops.length - 1; i >= 0; i--) {
			String hop = hops[i].strip();
			if (!ADDRESS_LITERAL.matcher(hop).matches()) {
				return remote;
			}
			if (!this.trustedProxies.contains(hop)) {
				return hop;
			}
		}
		return remote;
	}

}
