package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.util.Arrays;
import java.util.List;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.GroupQuery;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

class CamundaIdentityAuthenticationProviderTest {

	private final IdentityService identityService = mock(IdentityService.class);

	private final CamundaIdentityAuthenticationProvider provider = new CamundaIdentityAuthenticationProvider(
			this.identityService);

	@Test
	void shouldMapEveryCamundaGroupToAnAuthority() {
		given(this.identityService.checkPassword("carol", "carol")).willReturn(true);
		givenGroupsOf("carol", Groups.ACCESS_OWNERS, Groups.SECURITY_LEADS);

		Authentication authentication = this.provider.authenticate(login("carol", "carol"));

		assertThat(authentication.isAuthenticated()).isTrue();
		assertThat(authentication.getName()).isEqualTo("carol");
		assertThat(authentication.getCredentials()).isNull();
		assertThat(authentication.getAuthorities()).extracting(GrantedAuthority::getAuthority)
			.containsExactlyInAnyOrder("GROUP_access-owners", "GROUP_security-leads");
	}

	@Test
	void shouldRefuseWhenCamundaRejectsThePassword() {
		given(this.identityService.checkPassword("carol", "guess")).willReturn(false);

		assertThatExceptionOfType(BadCredentialsException.class)
			.isThrownBy(() -> this.provider.authenticate(login("carol", "guess")));
		verify(this.identityService).checkPassword("carol", "guess");
	}

	@Test
	void shouldRefuseEmptyCredentialsWithoutAskingCamunda() {
		assertThatExceptionOfType(BadCredentialsException.class)
			.isThrownBy(() -> this.provider.authenticate(login("carol", "")));
		assertThatExceptionOfType(BadCredentialsException.class)
			.isThrownBy(() -> this.provider.authenticate(login(" ", "carol")));
		verifyNoInteractions(this.identityService);
	}

	private void givenGroupsOf(String userId, String... groupIds) {
		GroupQuery query = mock(GroupQuery.class, RETURNS_SELF);
		List<Group> groups = Arrays.stream(groupIds).map(groupId -> {
			Group group = mock(Group.class);
			given(group.getId()).willReturn(groupId);
			return group;
		}).toList();
		given(query.list()).willReturn(groups);
		given(this.identityService.createGroupQuery()).willReturn(query);
	}

	private static UsernamePasswordAuthenticationToken login(String user, String password) {
		return UsernamePasswordAuthenticationToken.unauthenticated(user, password);
	}

}
