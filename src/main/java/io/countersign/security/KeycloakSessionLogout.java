package io.countersign.security;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.web.authentication.logout.LogoutHandler;

/**
 * Ends the user's Keycloak session when they log out of the webapps (RP-initiated logout), so that the next visit asks
 * for credentials again instead of signing them straight back in.
 *
 * <p>Tasklist logs out with an XHR ({@code POST …/auth/user/{engine}/logout}), which cannot follow a redirect to the
 * provider's logout page, so the session is ended from the server: Keycloak's end-session endpoint with the client's
 * credentials and the session's refresh token. The local session ends whatever Keycloak answers; a failure is logged
 * (never the token).
 */
final class KeycloakSessionLogout implements LogoutHandler {

	private static final Logger log = LoggerFactory.getLogger(KeycloakSessionLogout.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final OAuth2AuthorizedClientRepository authorizedClients;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	KeycloakSessionLogout(OAuth2AuthorizedClientRepository authorizedClients) {
		this.authorizedClients = authorizedClients;
	}

	@Override
	public void logout(HttpServletRequest request, HttpServletResponse response, Authentication authentication) {
		if (!(authentication instanceof OAuth2AuthenticationToken token)) {
			return;
		}
		String registrationId = token.getAuthorizedClientRegistrationId();
		OAuth2AuthorizedClient client = this.authorizedClients.loadAuthorizedClient(registrationId, authentication,
				request);
		if (client == null) {
			log.warn("Logout of {}: no authorized client in the session; the Keycloak session is left to expire",
					authentication.getName());
			return;
		}
		this.authorizedClients.removeAuthorizedClient(registrationId, authentication, request, response);
		ClientRegistration registration = client.getClientRegistration();
		Object endSession = registration.getProviderDetails().getConfigurationMetadata().get("end_session_endpoint");
		if (!(endSession instanceof String endpoint) || client.getRefreshToken() == null) {
			log.warn("Logout of {}: the provider names no end_session_endpoint or issued no refresh token; the Keycloak"
					+ " session is left to expire", authentication.getName());
			return;
		}
		String form = Map.of("client_id", registration.getClientId(), "client_secret", registration.getClientSecret(),
				"refresh_token", client.getRefreshToken().getTokenValue())
			.entrySet()
			.stream()
			.map(field -> field.getKey() + "=" + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		HttpRequest logout = HttpRequest.newBuilder(URI.create(endpoint))
			.timeout(TIMEOUT)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build();
		try {
			int status = this.http.send(logout, HttpResponse.BodyHandlers.discarding()).statusCode();
			if (status / 100 != 2) {
				log.warn("Logout of {}: Keycloak's end-session endpoint answered {}", authentication.getName(), status);
			}
		}
		catch (IOException ex) {
			log.warn("Logout of {}: Keycloak's end-session endpoint failed: {}", authentication.getName(),
					ex.getClass().getSimpleName());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
