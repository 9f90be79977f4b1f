package io.countersign.security;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Tenant;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hands the user Spring Security authenticated to the engine for the duration of an engine REST call. Camunda
 * checks authorizations only when an authentication is set on the thread, so without this filter every
 * authenticated caller of {@code /engine-rest} would act with unrestricted engine rights.
 *
 * <p>Only for the engine REST API: our own {@code /api} enforces groups in Spring Security and then drives the
 * engine as the application itself.
 */
class EngineAuthenticationFilter extends OncePerRequestFilter {

	private final IdentityService identityService;

	private final RequestMatcher engineRest;

	EngineAuthenticationFilter(IdentityService identityService, RequestMatcher engineRest) {
		this.identityService = identityService;
		this.engineRest = engineRest;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !this.engineRest.matches(request);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null || !authentication.isAuthenticated()
				|| authentication instanceof AnonymousAuthenticationToken) {
			// Authorization rules let no anonymous call reach the engine; never run one as "nobody", which
			// Camunda would treat as unrestricted.
			response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
			return;
		}
		String userId = authentication.getName();
		// The groups were read from the identity service at login, moments ago in this same request.
		this.identityService.setAuthentication(userId, Groups.groupIds(authentication),
				tenantIds(this.identityService, userId));
		try {
			chain.doFilter(request, response);
		}
		finally {
			// Tomcat reuses the thread for the next request, possibly of another user.
			this.identityService.clearAuthentication();
		}
	}

	/** The tenants the user belongs to, directly or through a group; the engine checks tenant access with them. */
	static List<String> tenantIds(IdentityService identityService, String userId) {
		return identityService.createTenantQuery()
			.userMember(userId)
			.includingGroupsOfUser(true)
			.list()
			.stream()
			.map(Tenant::getId)
			.toList();
	}

}
