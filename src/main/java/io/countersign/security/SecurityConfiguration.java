package io.countersign.security;

import java.util.stream.Stream;

import org.camunda.bpm.engine.IdentityService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatchers;

/**
 * Two filter chains: one that authenticates the machine-facing endpoints, and one that lets everything else through
 * to the Camunda webapps, which run their own session login and CSRF filter. Under profile {@code keycloak}
 * ({@link SingleSignOn}) the first accepts bearer JWTs instead of HTTP Basic and the second signs people in through
 * OpenID Connect for the webapps; the authorization rules are the same.
 *
 * <p>Matchers are built explicitly with {@link PathPatternRequestMatcher}: the engine REST API is a second servlet
 * (Jersey) next to the DispatcherServlet, and Spring Security refuses to guess how plain string patterns apply then.
 *
 * <p>Only in a servlet web application: engine and process tests that run without a web server need no filters.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

	private static final PathPatternRequestMatcher.Builder PATH = PathPatternRequestMatcher.withDefaults();

	static final RequestMatcher ENGINE_REST = PATH.matcher("/engine-rest/**");

	@Bean
	@Order(1)
	SecurityFilterChain apiSecurityFilterChain(HttpSecurity http, ProblemDetailSecurityHandler problems,
			IdentityService identityService, ObjectProvider<SingleSignOn> singleSignOn) throws Exception {
		String admin = Groups.authority(Groups.ADMIN);
		String integrators = Groups.authority(Groups.INTEGRATORS);
		String auditors = Groups.authority(Groups.AUDITORS);
		String[] approversAndAdmin = authorities(Groups.APPROVER_GROUPS.stream(), Stream.of(Groups.ADMIN));
		String[] readers = authorities(Groups.APPROVER_GROUPS.stream(), Stream.of(Groups.ADMIN, Groups.INTEGRATORS));
		String[] readersAndAuditors = authorities(Groups.APPROVER_GROUPS.stream(),
				Stream.of(Groups.ADMIN, Groups.INTEGRATORS, Groups.AUDITORS));
		RequestMatcher audit = PATH.matcher(HttpMethod.GET, "/api/v1/audit");
		String agents = Groups.authority(Groups.AGENTS);
		String[] agentRevokers = authorities(Stream.of(Groups.AGENT_REVIEWERS, Groups.SECURITY_LEADS), Stream.empty());
		String[] agentActionReaders = authorities(Stream.of(Groups.AGENTS, Groups.AGENT_REVIEWERS, Groups.SECURITY_LEADS),
				Stream.of(Groups.AUDITORS, Groups.ADMIN));

		// Profile keycloak: bearer tokens only; HTTP Basic is not configured, so a Basic header authenticates nobody.
		SingleSignOn sso = singleSignOn.getIfAvailable();
		AuthenticationEntryPoint entryPoint = (sso == null) ? problems
				: problems.entryPoint("Bearer", "Send a bearer token of the configured OpenID Connect issuer.");
		if (sso == null) {
			http.httpBasic(
					basic -> basic.realmName(ProblemDetailSecurityHandler.REALM).authenticationEntryPoint(problems));
		}
		else {
			sso.acceptBearerTokens(http, entryPoint);
		}
		http.securityMatcher(RequestMatchers.anyOf(PATH.matcher("/api/**"), ENGINE_REST, PATH.matcher("/actuator/**")))
			.authorizeHttpRequests(requests -> requests
				.requestMatchers(PATH.matcher(HttpMethod.POST, "/api/v1/responses"))
				.hasAnyAuthority(integrators, admin)
				.requestMatchers(PATH.matcher(HttpMethod.GET, "/api/v1/responses"),
						PATH.matcher(HttpMethod.GET, "/api/v1/responses/**"))
				.hasAnyAuthority(readers)
				.requestMatchers(PATH.matcher(HttpMethod.POST, "/api/v1/responses/*/decision"))
				.hasAnyAuthority(approversAndAdmin)
				.requestMatchers(PATH.matcher(HttpMethod.PUT, "/api/v1/identities/**"))
				.hasAnyAuthority(integrators, admin)
				.requestMatchers(PATH.matcher(HttpMethod.GET, "/api/v1/identities/**"))
				.hasAnyAuthority(readers)
				// Agents ask and read their own (AgentActionController filters rows); they never decide or revoke.
				.requestMatchers(PATH.matcher(HttpMethod.POST, "/api/v1/agent-actions"))
				.hasAuthority(agents)
				.requestMatchers(PATH.matcher(HttpMethod.GET, "/api/v1/agent-actions/*"),
						PATH.matcher(HttpMethod.GET, "/api/v1/agent-grants"),
						PATH.matcher(HttpMethod.GET, "/api/v1/agent-grants/*"))
				.hasAnyAuthority(agentActionReaders)
				.requestMatchers(PATH.matcher(HttpMethod.POST, "/api/v1/agent-actions/*/revocation"),
						PATH.matcher(HttpMethod.DELETE, "/api/v1/agent-grants/*"))
				.hasAnyAuthority(agentRevokers)
				.requestMatchers(PATH.matcher(HttpMethod.POST, "/api/v1/agent-actions/*/uses"))
				.hasAuthority(Groups.authority(Groups.TOOL_SERVERS))
				// Which systems are connected, and importing their identities: admins.
				.requestMatchers(PATH.matcher(HttpMethod.GET, "/api/v1/targets"),
						PATH.matcher(HttpMethod.POST, "/api/v1/targets/*/sync"))
				.hasAuthority(admin)
				// Admins propose model changes; the approvers' group and auditors follow them. Approving is the gate's.
				.requestMatchers(PATH.matcher(HttpMethod.POST, "/api/v1/model-changes"))
				.hasAuthority(admin)
				.requestMatchers(PATH.matcher(HttpMethod.GET, "/api/v1/model-changes/*"))
				.hasAnyAuthority(admin, auditors, Groups.authority(Groups.SECURITY_LEADS))
				// One response's ledger entries are readable like the response; the whole ledger by admins and auditors.
				.requestMatchers(RequestMatchers.allOf(audit, request -> request.getParameter("response") != null))
				.hasAnyAuthority(readersAndAuditors)
				.requestMatchers(audit, PATH.matcher(HttpMethod.GET, "/api/v1/audit/verify"),
						PATH.matcher(HttpMethod.GET, "/api/v1/audit/checkpoints"))
				.hasAnyAuthority(admin, auditors)
				// Fail closed: a new endpoint is unreachable until its feature adds a rule above.
				.requestMatchers(PATH.matcher("/api/**"))
				.denyAll()
				.requestMatchers(PATH.matcher("/actuator/health"), PATH.matcher("/actuator/health/**"))
				.permitAll()
				.requestMatchers(PATH.matcher("/actuator/**"))
				.hasAuthority(admin)
				// A password oracle for any logged-in user, which LoginThrottleFilter cannot see fail (it answers 200).
				.requestMatchers(PATH.matcher("/engine-rest/identity/verify"),
						PATH.matcher("/engine-rest/engine/*/identity/verify"))
				.denyAll()
				// Per-resource decisions are the engine's, see EngineAuthenticationFilter.
				.requestMatchers(ENGINE_REST)
				.authenticated()
				.anyRequest()
				.denyAll())
			.exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(entryPoint)
				.accessDeniedHandler(problems))
			.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			// Callers are machines and scripts sending credentials on every request; no cookie, nothing to forge.
			.csrf(csrf -> csrf.disable())
			.logout(logout -> logout.disable())
			.addFilterAfter(new EngineAuthenticationFilter(identityService, ENGINE_REST), AuthorizationFilter.class);
		return http.build();
	}

	/**
	 * The Camunda webapps ({@code /camunda/**}), the redirect at {@code /}, the OpenAPI document and Swagger UI, and
	 * {@code /.well-known/**}. The webapps authenticate with their own session and protect it with their own CSRF
	 * filter, so Spring's would only break their requests.
	 */
	@Bean
	@Order(2)
	SecurityFilterChain webappSecurityFilterChain(HttpSecurity http, ProblemDetailSecurityHandler problems,
			ObjectProvider<SingleSignOn> singleSignOn) throws Exception {
		// The first-admin setup (CVE-2026-77226) is closed whatever the groups hold: admins come from configuration.
		RequestMatcher closed = RequestMatchers.anyOf(PATH.matcher("/camunda/api/admin/setup/**"),
				PATH.matcher("/camunda/api/engine/engine/*/identity/verify"));
		SingleSignOn sso = singleSignOn.getIfAvailable();
		if (sso != null) {
			// Profile keycloak: Spring Security signs people in (OpenID Connect) and hands them to the webapps.
			sso.signInToWebapps(http, problems, closed);
		}
		else {
			http.authorizeHttpRequests(requests -> requests.requestMatchers(closed).denyAll().anyRequest().permitAll())
				// Nobody logs in to this chain (the webapps keep their own session), so a refusal is always a plain 403.
				.exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(
						(request, response, ex) -> problems.handle(request, response, new AccessDeniedException("denied")))
					.accessDeniedHandler(problems))
				.logout(logout -> logout.disable())
				.requestCache(cache -> cache.disable())
				.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		}
		http.csrf(csrf -> csrf.disable())
			// The webapps may frame their own pages (embedded forms, diagrams); other sites may not frame them.
			.headers(headers -> headers.frameOptions(frame -> frame.sameOrigin()));
		return http.build();
	}

	private static String[] authorities(Stream<String> groups, Stream<String> moreGroups) {
		return Stream.concat(groups, moreGroups).map(Groups::authority).sorted().toArray(String[]::new);
	}

}
