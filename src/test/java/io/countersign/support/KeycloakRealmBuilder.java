package io.countersign.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A realm on the test's {@link KeycloakServer}, set up through Keycloak's admin REST API as an administrator would in
 * the console: groups, users with passwords, confidential clients with a group-membership mapper, service-account
 * roles. Also requests tokens, independently of the code under test. Test-only values throughout.
 */
public final class KeycloakRealmBuilder {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final KeycloakServer server;

	private final String realm;

	private KeycloakRealmBuilder(KeycloakServer server, String realm) {
		this.server = server;
		this.realm = realm;
	}

	/** Creates an enabled realm of that name. */
	public static KeycloakRealmBuilder create(KeycloakServer server, String realm) {
		KeycloakRealmBuilder builder = new KeycloakRealmBuilder(server, realm);
		builder.expect(201, builder.admin("POST", "/admin/realms", Map.of("realm", realm, "enabled", true)));
		return builder;
	}

	/** The realm's issuer URL, as in its tokens. */
	public String issuer() {
		return this.server.url() + "/realms/" + this.realm;
	}

	public KeycloakRealmBuilder group(String name) {
		expect(201, admin("POST", adminPath("/groups"), Map.of("name", name)));
		return this;
	}

	/** A user with a password and a complete profile (nothing to fill in at first login), in these groups. */
	public KeycloakRealmBuilder user(String username, String password, String... groups) {
		expect(201, admin("POST", adminPath("/users"), Map.of("username", username, "enabled", true, "email",
				username + "@countersign.invalid", "emailVerified", true, "firstName", username, "lastName", "Test",
				"credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)), "groups",
				List.of(groups).stream().map(group -> "/" + group).toList())));
		return this;
	}

	/**
	 * A confidential client with a group-membership mapper (claim {@code groups}, plain names) and a service account.
	 * {@code redirectUri} null: no browser login; {@code passwordGrant}: direct access grants on (tests only).
	 */
	public KeycloakRealmBuilder confidentialClient(String clientId, String secret, String redirectUri,
			boolean passwordGrant) {
		Map<String, Object> mapper = Map.of("name", "groups", "protocol", "openid-connect", "protocolMapper",
				"oidc-group-membership-mapper", "config", Map.of("claim.name", "groups", "full.path", "false",
						"access.token.claim", "true", "id.token.claim", "true", "userinfo.token.claim", "true"));
		Map<String, Object> client = new java.util.LinkedHashMap<>();
		client.put("clientId", clientId);
		client.put("enabled", true);
		client.put("publicClient", false);
		client.put("clientAuthenticatorType", "client-secret");
		client.put("secret", secret);
		client.put("serviceAccountsEnabled", true);
		client.put("standardFlowEnabled", redirectUri != null);
		client.put("directAccessGrantsEnabled", passwordGrant);
		client.put("redirectUris", redirectUri == null ? List.of() : List.of(redirectUri));
		client.put("attributes", Map.of("post.logout.redirect.uris", "+"));
		client.put("protocolMappers", List.of(mapper));
		expect(201, admin("POST", adminPath("/clients"), client));
		return this;
	}

	/** Roles of the realm's {@code realm-management} client for the client's service account. */
	public KeycloakRealmBuilder serviceAccountManagementRoles(String clientId, String... roles) {
		String serviceAccount = serviceAccountUserId(clientId);
		String management = clientUuid("realm-management");
		List<JsonNode> representations = List.of(roles)
			.stream()
			.map(role -> read(expect(200, admin("GET", adminPath("/clients/" + management + "/roles/" + role), null))))
			.toList();
		expect(204, admin("POST", adminPath("/users/" + serviceAccount + "/role-mappings/clients/" + management),
				representations));
		return this;
	}

	/** Puts the client's service-account user into a group, as for any user. */
	public KeycloakRealmBuilder serviceAccountInGroup(String clientId, String group) {
		expect(204, admin("PUT", adminPath("/users/" + serviceAccountUserId(clientId) + "/groups/" + groupId(group)),
				Map.of()));
		return this;
	}

	/** Takes a user out of a group, effective at once in Keycloak. */
	public void removeFromGroup(String username, String group) {
		expect(204, admin("DELETE", adminPath("/users/" + userId(username) + "/groups/" + groupId(group)), null));
	}

	/** A {@code client_credentials} access token of that client. */
	public String clientToken(String clientId, String secret) {
		return token(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
	}

	/** A password-grant access token of that user through that client. */
	public String passwordToken(String clientId, String secret, String username, String password) {
		return token(Map.of("grant_type", "password", "client_id", clientId, "client_secret", secret, "username",
				username, "password", password, "scope", "openid"));
	}

	/** An access token of the master realm's administrator: real, signed by this Keycloak, of another issuer. */
	public String masterRealmToken() {
		return masterAdminToken();
	}

	private String token(Map<String, String> form) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form(form)))
			.build();
		return read(expect(200, send(request))).path("access_token").asText();
	}

	private String serviceAccountUserId(String clientId) {
		return read(expect(200,
				admin("GET", adminPath("/clients/" + clientUuid(clientId) + "/service-account-user"), null)))
			.path("id")
			.asText();
	}

	private String clientUuid(String clientId) {
		return only(admin("GET", adminPath("/clients?clientId=" + encode(clientId)), null)).path("id").asText();
	}

	private String userId(String username) {
		return only(admin("GET", adminPath("/users?exact=true&username=" + encode(username)), null)).path("id").asText();
	}

	private String groupId(String name) {
		return read(expect(200, admin("GET", adminPath("/group-by-path/" + encode(name)), null))).path("id").asText();
	}

	private JsonNode only(HttpResponse<String> response) {
		JsonNode list = read(expect(200, response));
		if (list.size() != 1) {
			throw new IllegalStateException("expected one result, got " + list);
		}
		return list.get(0);
	}

	private String adminPath(String path) {
		return "/admin/realms/" + this.realm + path;
	}

	private HttpResponse<String> admin(String method, String path, Object body) {
		try {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.server.url() + path))
				.timeout(Duration.ofSeconds(30))
				.header("Authorization", "Bearer " + masterAdminToken());
			if (body == null) {
				request.method(method, HttpRequest.BodyPublishers.noBody());
			}
			else {
				request.header("Content-Type", "application/json")
					.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
			}
			return send(request.build());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A fresh one per call: admin-cli tokens live a minute. */
	private String masterAdminToken() {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create(this.server.url() + "/realms/master/protocol/openid-connect/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "password", "client_id", "admin-cli",
					"username", KeycloakServer.ADMIN_USERNAME, "password", KeycloakServer.ADMIN_PASSWORD))))
			.build();
		return read(expect(200, send(request))).path("access_token").asText();
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(request.method() + " " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
		if (response.statusCode() != status) {
			throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": expected "
					+ status + ", got " + response.statusCode() + " " + response.body());
		}
		return response;
	}

	private static JsonNode read(HttpResponse<String> response) {
		try {
			return JSON.readTree(response.body());
		}
		catch (IOException ex) {
			throw new IllegalStateException("not JSON: " + response.body(), ex);
		}
	}

	private static String form(Map<String, String> fields) {
		return fields.entrySet()
			.stream()
			.map(field -> field.getKey() + "=" + encode(field.getValue()))
			.collect(Collectors.joining("&"));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
