package io.countersign.connector.keycloak;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.support.KeycloakServer;

/**
 * A realm of its own for one test, set up through Keycloak's admin API with plain HTTP (not with the
 * {@link KeycloakAdmin} under test, so that setup and checks do not lean on what they check): a confidential client
 * with a service account, holding realm role {@value #REALM_ROLE} and role {@value #CLIENT_ROLE} of client
 * {@value #API_CLIENT}. {@link #close()} deletes the realm.
 */
final class KeycloakTestRealm implements AutoCloseable {

	static final String REALM_ROLE = "reports:read";

	static final String API_CLIENT = "payments-api";

	static final String CLIENT_ROLE = "payments:refund";

	/** What a realm-scoped administrator needs for everything {@link KeycloakAdmin} does. */
	static final List<String> ADMIN_ROLES = List.of("view-clients", "manage-clients", "view-users", "manage-users",
			"view-realm");

	private static final ObjectMapper JSON = new ObjectMapper();

	private final KeycloakServer server;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String name;

	private final String clientId;

	private final String secret;

	private KeycloakTestRealm(KeycloakServer server, String name, String clientId, String secret) {
		this.server = server;
		this.name = name;
		this.clientId = clientId;
		this.secret = secret;
	}

	static KeycloakTestRealm create(KeycloakServer server) {
		String unique = UUID.randomUUID().toString().substring(0, 8);
		KeycloakTestRealm realm = new KeycloakTestRealm(server, "countersign-it-" + unique, "svc-reporting-" + unique,
				"initial-" + UUID.randomUUID());
		realm.admin("POST", "/admin/realms", object().put("realm", realm.name).put("enabled", true)
			// Login events are how a test sees how often the administrator logged in.
			.put("eventsEnabled", true));
		String id = realm.createConfidentialClient(realm.clientId, realm.secret);
		realm.admin("POST", realm.path("roles"), object().put("name", REALM_ROLE));
		String apiId = realm.createClient(object().put("clientId", API_CLIENT).put("publicClient", false)
			.put("serviceAccountsEnabled", false).put("standardFlowEnabled", false));
		realm.admin("POST", realm.path("clients/" + apiId + "/roles"), object().put("name", CLIENT_ROLE));
		String userId = realm.serviceAccountUserId(id);
		realm.admin("POST", realm.path("users/" + userId + "/role-mappings/realm"),
				array(realm.admin("GET", realm.path("roles/" + encode(REALM_ROLE)), null)));
		realm.admin("POST", realm.path("users/" + userId + "/role-mappings/clients/" + apiId),
				array(realm.admin("GET", realm.path("clients/" + apiId + "/roles/" + encode(CLIENT_ROLE)), null)));
		return realm;
	}

	String name() {
		return this.name;
	}

	/** The service-account client the tests act on. */
	String clientId() {
		return this.clientId;
	}

	/** Its secret as created. */
	String secret() {
		return this.secret;
	}

	/** The default way in: the server's bootstrap administrator, password grant in {@code master}. */
	KeycloakTarget masterAdminTarget() {
		return KeycloakTarget.withUser(this.server.url(), this.name, null, KeycloakServer.ADMIN_USERNAME,
				KeycloakServer.ADMIN_PASSWORD, Duration.ofSeconds(10));
	}

	/**
	 * A confidential client of this realm whose service account holds {@link #ADMIN_ROLES} of
	 * {@code realm-management}: an administrator of this realm only. Returns its secret.
	 */
	String createAdminClient(String adminClientId) {
		String adminSecret = "admin-" + UUID.randomUUID();
		String id = createConfidentialClient(adminClientId, adminSecret);
		grantRealmManagement(serviceAccountUserId(id));
		return adminSecret;
	}

	/** A user of this realm holding {@link #ADMIN_ROLES} of {@code realm-management}. Returns its id. */
	String createAdminUser(String username, String password) {
		// Keycloak's default user profile wants a name and a verified e-mail before it lets the user log in.
		ObjectNode user = object().put("username", username).put("enabled", true).put("firstName", "Test")
			.put("lastName", "Operator").put("email", username + "@countersign.test").put("emailVerified", true);
		user.putArray("credentials").addObject().put("type", "password").put("value", password).put("temporary", false);
		String userId = idFromLocation(adminExchange("POST", path("users"), user));
		grantRealmManagement(userId);
		return userId;
	}

	/** Ends every session of the user: tokens issued for them stop working at the admin API. */
	void logOut(String userId) {
		admin("POST", path("users/" + userId + "/logout"), null);
	}

	/** How many successful logins of this kind (e.g. {@code LOGIN}, {@code CLIENT_LOGIN}) the realm recorded. */
	int loginEvents(String type) {
		return admin("GET", path("events?type=" + type + "&max=1000"), null).size();
	}

	/**
	 * Applies Keycloak's {@code secret-rotation} executor to every confidential client of the realm: a secret expires
	 * {@code expirationSeconds} after it was issued (or, for one issued before the policy, after its first use), and a
	 * regenerated secret keeps the old one valid for {@code rotatedSeconds}.
	 */
	void enableRotationPolicy(int expirationSeconds, int rotatedSeconds) {
		ObjectNode profiles = object();
		ObjectNode profile = profiles.putArray("profiles").addObject().put("name", "secret-rotation");
		profile.putArray("executors")
			.addObject()
			.put("executor", "secret-rotation")
			.putObject("configuration")
			.put("expiration-period", String.valueOf(expirationSeconds))
			.put("rotated-expiration-period", String.valueOf(rotatedSeconds))
			.put("remaining-rotation-period", String.valueOf(rotatedSeconds));
		admin("PUT", path("client-policies/profiles"), profiles);
		ObjectNode policies = object();
		ObjectNode policy = policies.putArray("policies").addObject().put("name", "rotate-confidential-clients")
			.put("enabled", true);
		policy.putArray("conditions").addObject().put("condition", "client-access-type").putObject("configuration")
			.putArray("type").add("confidential");
		policy.putArray("profiles").add("secret-rotation");
		admin("PUT", path("client-policies/policies"), policies);
	}

	/**
	 * Another confidential client with a service account, holding {@value #REALM_ROLE} and {@value #CLIENT_ROLE} of
	 * {@value #API_CLIENT} like the first one. Returns its secret.
	 */
	String createServiceAccount(String newClientId) {
		String newSecret = "initial-" + UUID.randomUUID();
		createConfidentialClient(newClientId, newSecret);
		mapRealmRole(newClientId, REALM_ROLE);
		String apiId = uuid(API_CLIENT);
		admin("POST", path("users/" + serviceAccountUserId(uuid(newClientId)) + "/role-mappings/clients/" + apiId),
				array(admin("GET", path("clients/" + apiId + "/roles/" + encode(CLIENT_ROLE)), null)));
		return newSecret;
	}

	/** A realm role; with {@code compositeOf}, one that also grants that role of {@value #API_CLIENT}. */
	void createRealmRole(String role, String compositeOf) {
		admin("POST", path("roles"), object().put("name", role));
		if (compositeOf != null) {
			String apiId = uuid(API_CLIENT);
			admin("POST", path("roles/" + encode(role) + "/composites"),
					array(admin("GET", path("clients/" + apiId + "/roles/" + encode(compositeOf)), null)));
		}
	}

	/** Maps a realm role to the client's service account, as an administrator would in the console. */
	void mapRealmRole(String ofClientId, String role) {
		admin("POST", path("users/" + serviceAccountUserId(uuid(ofClientId)) + "/role-mappings/realm"),
				array(admin("GET", path("roles/" + encode(role)), null)));
	}

	/** Enables or disables the client, as an administrator would in the console. */
	void setEnabled(String ofClientId, boolean enabled) {
		String id = uuid(ofClientId);
		ObjectNode representation = (ObjectNode) admin("GET", path("clients/" + id), null);
		admin("PUT", path("clients/" + id), representation.put("enabled", enabled));
	}

	boolean enabled(String ofClientId) {
		return admin("GET", path("clients/" + uuid(ofClientId)), null).path("enabled").asBoolean();
	}

	/** The client's current secret, read by the test to compare; never printed. */
	String currentSecret(String ofClientId) {
		return admin("GET", path("clients/" + uuid(ofClientId) + "/client-secret"), null).path("value").asText();
	}

	/** The realm and client roles mapped directly to the client's service account, as clientId/role for these. */
	Set<String> directRoles(String ofClientId) {
		JsonNode mappings = admin("GET", path("users/" + serviceAccountUserId(uuid(ofClientId)) + "/role-mappings"),
				null);
		Set<String> roles = new LinkedHashSet<>();
		mappings.path("realmMappings").forEach(role -> roles.add(role.path("name").asText()));
		mappings.path("clientMappings").properties().forEach(entry -> entry.getValue().path("mappings")
			.forEach(role -> roles.add(entry.getKey() + "/" + role.path("name").asText())));
		return roles;
	}

	private String uuid(String ofClientId) {
		return admin("GET", path("clients?clientId=" + encode(ofClientId)), null).get(0).path("id").asText();
	}

	/** A {@code client_credentials} token request as the given client, independent of the code under test. */
	Token token(String asClientId, String withSecret) {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "client_credentials", "client_id",
					asClientId, "client_secret", withSecret))))
			.build());
		if (response.statusCode() != 200) {
			return new Token(response.statusCode(), null, JSON.missingNode());
		}
		String accessToken = read(response.body()).path("access_token").asText();
		return new Token(200, accessToken, read(new String(
				Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]), StandardCharsets.UTF_8)));
	}

	/** Token introspection at Keycloak, authenticated as the service-account client with its current secret. */
	boolean active(String accessToken, String withSecret) {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(tokenEndpoint() + "/introspect"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(
					form(Map.of("client_id", this.clientId, "client_secret", withSecret, "token", accessToken))))
			.build());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("Introspection answered " + response.statusCode());
		}
		return read(response.body()).path("active").asBoolean(false);
	}

	@Override
	public void close() {
		admin("DELETE", "/admin/realms/" + this.name, null);
	}

	private String createConfidentialClient(String newClientId, String newSecret) {
		ObjectNode representation = object().put("clientId", newClientId).put("publicClient", false)
			.put("serviceAccountsEnabled", true).put("standardFlowEnabled", false)
			.put("directAccessGrantsEnabled", false).put("secret", newSecret);
		// As Keycloak sets it whenever it generates a secret (its own tests set it for a given one too).
		representation.putObject("attributes")
			.put("client.secret.creation.time", String.valueOf(Instant.now().getEpochSecond()));
		return createClient(representation);
	}

	private String createClient(ObjectNode representation) {
		return idFromLocation(adminExchange("POST", path("clients"), representation.put("enabled", true)));
	}

	private String serviceAccountUserId(String clientUuid) {
		return admin("GET", path("clients/" + clientUuid + "/service-account-user"), null).path("id").asText();
	}

	private void grantRealmManagement(String userId) {
		JsonNode realmManagement = admin("GET", path("clients?clientId=realm-management"), null).get(0);
		String managementId = realmManagement.path("id").asText();
		ArrayNode roles = JSON.createArrayNode();
		for (String role : ADMIN_ROLES) {
			roles.add(admin("GET", path("clients/" + managementId + "/roles/" + role), null));
		}
		admin("POST", path("users/" + userId + "/role-mappings/clients/" + managementId), roles);
	}

	private String path(String rest) {
		return "/admin/realms/" + this.name + "/" + rest;
	}

	private String tokenEndpoint() {
		return this.server.url() + "/realms/" + this.name + "/protocol/openid-connect/token";
	}

	private JsonNode admin(String method, String path, JsonNode body) {
		return read(adminExchange(method, path, body).body());
	}

	private HttpResponse<String> adminExchange(String method, String path, JsonNode body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.server.url() + path))
			.header("Authorization", "Bearer " + masterAdminToken());
		request = (body == null) ? request.method(method, HttpRequest.BodyPublishers.noBody())
				: request.header("Content-Type", "application/json")
					.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
		HttpResponse<String> response = send(request.build());
		if (response.statusCode() / 100 != 2) {
			throw new IllegalStateException(
					"Test setup: " + method + " " + path + " answered " + response.statusCode() + ": " + response.body());
		}
		return response;
	}

	/** A fresh one per call: admin-cli tokens live a minute, and a test may outlast that. */
	private String masterAdminToken() {
		HttpResponse<String> response = send(HttpRequest
			.newBuilder(URI.create(this.server.url() + "/realms/master/protocol/openid-connect/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "password", "client_id", "admin-cli",
					"username", KeycloakServer.ADMIN_USERNAME, "password", KeycloakServer.ADMIN_PASSWORD))))
			.build());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("Test setup: admin login answered " + response.statusCode());
		}
		return read(response.body()).path("access_token").asText();
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Test setup: " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Test setup interrupted", ex);
		}
	}

	private static String idFromLocation(HttpResponse<String> created) {
		String location = created.headers().firstValue("Location").orElseThrow();
		return location.substring(location.lastIndexOf('/') + 1);
	}

	private static JsonNode read(String body) {
		try {
			return (body == null || body.isBlank()) ? JSON.missingNode() : JSON.readTree(body);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Test setup: not JSON: " + body, ex);
		}
	}

	private static ObjectNode object() {
		return JSON.createObjectNode();
	}

	private static ArrayNode array(JsonNode element) {
		return JSON.createArrayNode().add(element);
	}

	private static String form(Map<String, String> fields) {
		return fields.entrySet()
			.stream()
			.map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
			.collect(Collectors.joining("&"));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/** A token endpoint's answer: the status, and for 200 the token and its claims. */
	record Token(int status, String accessToken, JsonNode claims) {

		Set<String> realmRoles() {
			Set<String> roles = new LinkedHashSet<>();
			this.claims.path("realm_access").path("roles").forEach(role -> roles.add(role.asText()));
			return roles;
		}

		Set<String> clientRoles(String clientId) {
			Set<String> roles = new LinkedHashSet<>();
			this.claims.path("resource_access").path(clientId).path("roles").forEach(role -> roles.add(role.asText()));
			return roles;
		}

		@Override
		public String toString() {
			return "Token[status=" + this.status + ", realmRoles=" + realmRoles() + "]";
		}

	}

}
