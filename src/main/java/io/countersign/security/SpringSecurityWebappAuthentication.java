package io.countersign.security;


import jakarta.servlet.http.HttpServletRequest;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.rest.security.auth.AuthenticationResult;
import org.camunda.bpm.engine.rest.security.auth.impl.ContainerBasedAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;

/**
 * Tells the Camunda webapps who signed in through OpenID Connect (profile {@code keycloak}): Camunda's
 * {@code ContainerBasedAuthenticationFilter} asks it on every webapp request and opens the webapp session for that
 * user. Only a Spring Security OIDC login counts; the webapps' own login form is closed under the profile.
 *
 * <p>The groups are the engine's, read from Keycloak by the identity provider now, not the ones the login token
 * carried: the webapps show what the engine will enforce. Public with a public constructor: Camunda instantiates it by
 * class name.
 */
public class SpringSecurityWebappAuthentication extends ContainerBasedAuthenticationProvider {

	public SpringSecurityWebappAuthentication() {
	}

	@Override
	public AuthenticationResult extractAuthenticatedUser(HttpServletRequest request, ProcessEngine engine) {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof OAuth2AuthenticationToken) || !authentication.isAuthenticated()
				|| authentication.getName() == null || authentication.getName().isBlank()) {
			return AuthenticationResult.unsuccessful();
		}
		String userId = authentication.getName();
		AuthenticationResult result = AuthenticationResult.successful(userId);
		result.setGroups(engine.getIdentityService()
			.createGroupQuery()
			.groupMember(userId)
			.list()
			.stream()
			.map(Group::getId)
			.toList());
result.setTenants(EngineAuthenticationFilter.tenantIds(engine.getIdentityService(), userId));
		return result;
	}

}
