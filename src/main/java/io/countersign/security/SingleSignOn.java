package io.countersign.security;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * How people and machines authenticate under profile {@code keycloak}, applied by {@link SecurityConfiguration} to its
 * two filter chains: bearer JWTs of the configured issuer on the API chain (HTTP Basic is not configured there, so a
 * Basic header is simply unauthenticated: 401), and OpenID Connect login with a server session for the webapps.
 */
final class SingleSignOn {

	private static final PathPatternRequestMatcher.Builder PATH = PathPatternRequestMatcher.withDefaults();

	/** The webapps' REST API: XHRs, answered 401 rather than redirected to the login page they cannot follow. */
	private static final RequestMatcher WEBAPP_API = PATH.matcher("/camunda/api/**");

	/** The webapps' own password login, which must not be a second way in. */
	private static final RequestMatcher WEBAPP_PASSWORD_LOGIN = PATH.matcher("/camunda/api/admin/auth/user/*/login/**");

	/** Where Tasklist, Cockpit and Admin log out. */
	private static final RequestMatcher WEBAPP_LOGOUT = PATH.matcher(HttpMethod.POST,
			"/camunda/api/admin/auth/user/*/logout");

	private final GroupsClaim groupsClaim;

	private final KeycloakSessionLogout keycloakLogout;

	SingleSignOn(OidcProperties properties, KeycloakSessionLogout keycloakLogout) {
		this.groupsClaim = new GroupsClaim(properties.groupsClaim());
		this.keycloakLogout = keycloakLogout;
	}

	void acceptBearerTokens(HttpSecurity http, AuthenticationEntryPoint entryPoint) throws Exception {
		http.oauth2ResourceServer(server -> server.jwt(jwt -> jwt.jwtAuthenticationConverter(this.groupsClaim))
			.authenticationEntryPoint(entryPoint));
	}

	void signInToWebapps(HttpSecurity http, ProblemDetailSecurityHandler problems, RequestMatcher closed)
			throws Exception {
		HttpSessionRequestCache requestCache = new HttpSessionRequestCache();
		// After login the browser goes back to the page it asked for, never to a JSON endpoint an XHR asked for.
		requestCache.setRequestMatcher(new NegatedRequestMatcher(WEBAPP_API));
		http.authorizeHttpRequests(requests -> requests.requestMatchers(closed, WEBAPP_PASSWORD_LOGIN)
			.denyAll()
			.requestMatchers(PATH.matcher("/camunda/app/**"), WEBAPP_API)
			.authenticated()
			.anyRequest()
			.permitAll())
			.exceptionHandling(exceptions -> exceptions
				.defaultAuthenticationEntryPointFor(problems.entryPoint(null,
						"Sign in through single sign-on: open the webapp again to be sent to the login page."),
						WEBAPP_API)
				.accessDeniedHandler(problems))
			.oauth2Login(Customizer.withDefaults())
			.requestCache(cache -> cache.requestCache(requestCache))
			.logout(logout -> logout.logoutRequestMatcher(WEBAPP_LOGOUT)
				.addLogoutHandler(this.keycloakLogout)
				.logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler(HttpStatus.OK)))
			// The login lives in the HTTP session (server.servlet.session.timeout); a new id on login, no fixation.
			.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED));
	}

}
