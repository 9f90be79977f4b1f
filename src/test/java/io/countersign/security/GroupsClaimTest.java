package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.authentication.AbstractAuthenticationToken;

class GroupsClaimTest {

	@Test
	void shouldGrantOneGroupAuthorityPerGroupOfTheClaim() {
		assertThat(names(GroupsClaim.authorities(Map.of("groups", List.of("platform-owners", "secops-analysts")),
				"groups")))
			.containsExactly("GROUP_platform-owners", "GROUP_secops-analysts");
	}

	@Test
	void shouldTakeATopLevelGroupsFullPathAsTheGroupAndIgnoreSubgroupsAndOddValues() {
		assertThat(names(GroupsClaim.authorities(Map.of("groups",
				List.of("/platform-owners", "/acme/platform-owners", "camunda admin", "", 42, "auditors", "auditors")),
				"groups")))
			.containsExactly("GROUP_platform-owners", "GROUP_auditors");
	}

	@Test
	void shouldReadAConfiguredNestedClaim() {
		Map<String, Object> claims = Map.of("realm_access", Map.of("roles", List.of("security-leads")), "groups",
				List.of("integrators"));

		assertThat(names(GroupsClaim.authorities(claims, "realm_access.roles"))).containsExactly("GROUP_security-leads");
		assertThat(names(GroupsClaim.authorities(claims, "realm_access.missing"))).isEmpty();
		assertThat(names(GroupsClaim.authorities(claims, "groups.roles"))).isEmpty();
	}

	@Test
	void shouldGrantNothingWithoutTheClaimAndAcceptASingleString() {
		assertThat(GroupsClaim.authorities(Map.of("sub", "x"), "groups")).isEmpty();
		assertThat(names(GroupsClaim.authorities(Map.of("groups", "agents"), "groups"))).containsExactly("GROUP_agents");
	}

	@Test
	void shouldNameTheUserByPreferredUsernameAndCarryTheGroups() {
		AbstractAuthenticationToken authentication = new GroupsClaim("groups")
			.convert(jwt(Map.of("sub", "6f1c", "preferred_username", "alice", "groups", List.of("secops-analysts"))));

		assertThat(authentication.getName()).isEqualTo("alice");
		assertThat(Groups.groupIds(authentication)).containsExactly("secops-analysts");
	}

	@Test
	void shouldRefuseATokenThatNamesNoUser() {
		assertThatThrownBy(() -> new GroupsClaim("groups").convert(jwt(Map.of("sub", "6f1c", "groups",
				List.of(Groups.ADMIN)))))
			.isInstanceOf(OAuth2AuthenticationException.class);
	}

	private static List<String> names(List<GrantedAuthority> authorities) {
		return authorities.stream().map(GrantedAuthority::getAuthority).toList();
	}

	private static Jwt jwt(Map<String, Object> claims) {
		Jwt.Builder builder = Jwt.withTokenValue("token")
			.header("alg", "RS256")
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(60));
		claims.forEach(builder::claim);
		return builder.build();
	}

}
