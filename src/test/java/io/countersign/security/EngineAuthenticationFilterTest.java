package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Tenant;
import org.camunda.bpm.engine.identity.TenantQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;

class EngineAuthenticationFilterTest {

	private final IdentityService identityService = mock(IdentityService.class);

	private final EngineAuthenticationFilter filter = new EngineAuthenticationFilter(this.identityService,
			SecurityConfiguration.ENGINE_REST);

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	@BeforeEach
	void bobIsMemberOfTenantAcme() {
		TenantQuery tenants = mock(TenantQuery.class, RETURNS_SELF);
		Tenant acme = mock(Tenant.class);
		given(acme.getId()).willReturn("acme");
		given(tenants.list()).willReturn(List.of(acme));
		given(this.identityService.createTenantQuery()).willReturn(tenants);
	}

	@AfterEach
	void clearSecurityContext() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void shouldRunEngineRestCallAsTheAuthenticatedUserAndClearAfterwards() throws Exception {
		authenticate("bob");
		FilterChain chain = mock(FilterChain.class);

		this.filter.doFilter(request("/engine-rest/task"), this.response, chain);

		InOrder order = inOrder(this.identityService, chain);
		order.verify(this.identityService).setAuthentication("bob", List.of(Groups.PLATFORM_OWNERS), List.of("acme"));
		order.verify(chain).doFilter(any(), any());
		order.verify(this.identityService).clearAuthentication();
	}

	@Test
	void shouldClearEngineAuthenticationWhenTheCallFails() throws Exception {
		authenticate("bob");
		FilterChain failing = (request, response) -> {
			throw new ServletException("engine exploded");
		};

		assertThatThrownBy(() -> this.filter.doFilter(request("/engine-rest/task"), this.response, failing))
			.isInstanceOf(ServletException.class);
		verify(this.identityService).clearAuthentication();
	}

	@Test
	void shouldNotSetEngineAuthenticationForOwnApi() throws Exception {
		authenticate("bob");
		FilterChain chain = mock(FilterChain.class);

		this.filter.doFilter(request("/api/v1/responses"), this.response, chain);

		verify(chain).doFilter(any(), any());
		verifyNoInteractions(this.identityService);
	}

	@Test
	void shouldNeverRunAnonymousEngineRestCallsWithoutAuthentication() throws Exception {
		SecurityContextHolder.getContext()
			.setAuthentication(new AnonymousAuthenticationToken("key", "anonymousUser",
					AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
		FilterChain chain = mock(FilterChain.class);

		this.filter.doFilter(request("/engine-rest/task"), this.response, chain);

		assertThat(this.response.getStatus()).isEqualTo(401);
		verify(chain, never()).doFilter(any(), any());
		verify(this.identityService, never()).setAuthentication(anyString(), anyList(), anyList());
	}

	private static void authenticate(String userId) {
		SecurityContextHolder.getContext()
			.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(userId, null,
					AuthorityUtils.createAuthorityList(Groups.authority(Groups.PLATFORM_OWNERS))));
	}

	private static MockHttpServletRequest request(String path) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.setServletPath(path);
		return request;
	}

}
