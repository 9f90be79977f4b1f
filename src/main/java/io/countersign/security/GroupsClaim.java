package io.countersign.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a bearer token's groups claim into one {@code GROUP_<group>} authority per group ({@link Groups#authority}), so
 * that the rules of {@link SecurityConfiguration} and {@link EngineAuthenticationFilter} hold for tokens exactly as for
 * HTTP Basic. The user is the token's {@code preferred_username}: the id the engine knows the user by (the identity
 * provider reads Keycloak users by username), never the opaque {@code sub}.
 *
 * <p>Values that are not plain group ids are ignored rather than trusted: a subgroup's path ({@code /a/b}) or anything
 * outside {@link IdentityBootstrap#GROUP_ID_PATTERN}. A top-level group's full path ({@code /platform-owners}, what
 * Keycloak's mapper sends with "Full group path" on) counts as the group.
 */
final class GroupsClaim implements Converter<Jwt, AbstractAuthenticationToken> {

	static final String USER_CLAIM = "preferred_username";

	private final String claim;

	GroupsClaim(String claim) {
		this.claim = claim;
	}

	@Override
	public AbstractAuthenticationToken convert(Jwt jwt) {
		String user = jwt.getClaimAsString(USER_CLAIM);
		if (user == null || user.isBlank()) {
			// Fail closed: an unnamed caller would reach the engine as nobody, which Camunda treats as unrestricted.
			throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN,
					"The token names no user (" + USER_CLAIM + ")", null));
		}
		return new JwtAuthenticationToken(jwt, authorities(jwt.getClaims(), this.claim), user);
	}

	/** The authorities the groups named at {@code claim} (a dotted path) of these claims grant. */
	static List<GrantedAuthority> authorities(Map<String, Object> claims, String claim) {
		Object value = claims;
		for (String part : claim.split("\\.")) {
			if (!(value instanceof Map<?, ?> object)) {
				return List.of();
			}
			value = object.get(part);
		}
		Collection<?> names = (value instanceof Collection<?> collection) ? collection
				: (value instanceof String single) ? List.of(single) : List.of();
		Set<String> groups = new LinkedHashSet<>();
		for (Object name : names) {
			if (name instanceof String text) {
				String group = text.startsWith("/") ? text.substring(1) : text;
				if (group.matches(IdentityBootstrap.GROUP_ID_PATTERN)) {
					groups.add(group);
				}
			}
		}
		List<GrantedAuthority> authorities = new ArrayList<>(groups.size());
		groups.forEach(group -> authorities.add(new SimpleGrantedAuthority(Groups.authority(group))));
		return authorities;
	}

}
