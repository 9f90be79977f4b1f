package io.countersign.connector.keycloak;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for Keycloak's admin REST API, for one {@link KeycloakTarget}: the operations a connector needs to
 * rotate, disable and cut down a confidential client, and to prove the outcome with a real token request.
 *
 * <p>Plain {@link HttpClient} and Jackson rather than {@code org.keycloak:keycloak-admin-client}: that library brings a
 * RESTEasy client and its providers and pins its own Jackson and Jakarta REST versions, which would fight Spring Boot's
 * dependency management here, all for about a dozen endpoints. Reading the answers as JSON trees also tolerates whatever
 * fields another server version adds or drops, where the library's typed representations would have to match it.
 *
 * <p>Outcomes: a 2xx answer is success; no answer, a timeout, a 5xx, 408 or 429 is a
 * {@link KeycloakUnavailableException} (try again later); any other answer, a redirect included (never followed), is a
 * {@link KeycloakRefusedException}. Neither message ever carries a secret.
 *
 * <p>The admin token is fetched on first use, kept until shortly before Keycloak says it expires, and fetched again
 * when it has or when Keycloak answers 401 to it (a restarted server, a revoked session). Safe for concurrent use.
 */
class KeycloakAdmin {

	/** Renew the admin token this long before it expires, so that no call starts with a token about to lapse. */
	static final Duration TOKEN_RENEWAL_MARGIN = Duration.ofSeconds(10);

	/** Of Keycloak's error text, in an exception message: enough to see why, short enough for an incident. */
	static final int MAX_QUOTED = 200;

	/** Keycloak's client attribute with the end of the rotated secret's window, in epoch seconds. */
	static final String ROTATED_SECRET_EXPIRATION = "client.secret.rotated.expiration.time";

	/** Keycloak's client attribute with the time its current secret was generated, in epoch seconds. */
	static final String SECRET_CREATION_TIME = "client.secret.creation.time";

	/** Keycloak's client attribute that holds the rotated secret itself. Only its presence is ever looked at. */
	static final String ROTATED_SECRET = "client.secret.rotated";

	/** The name of the preview feature behind rotation policies, as Keycloak's server info spells it. */
	static final String ROTATION_FEATURE = "CLIENT_SECRET_ROTATION";

	/** Clients per page when listing a realm: Keycloak's own admin console asks for pages of this order. */
	static final int LIST_PAGE = 100;

	private static final Logger log = LoggerFactory.getLogger(KeycloakAdmin.class);

	private final KeycloakTarget target;

	private final ObjectMapper json;

	private final Clock clock;

	private final HttpClient http;

	private final Object tokenLock = new Object();

	private String adminToken;

	private Instant adminTokenRenewAt = Instant.MIN;

	KeycloakAdmin(KeycloakTarget target, ObjectMapper json, Clock clock) {
		this.target = target;
		this.json = json;
		this.clock = clock;
		// Never follow a redirect: it would carry the bearer token or the secrets of a token request to a URL nobody
		// configured. HTTP/1.1 because an h2c upgrade on plain http is refused by some proxies in front of Keycloak.
		this.http = HttpClient.newBuilder()
			.connectTimeout(target.timeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.version(HttpClient.Version.HTTP_1_1)
			.build();
	}

	KeycloakTarget target() {
		return this.target;
	}

	/** The client with this {@code clientId} in the target realm, if there is one. */
	Optional<KeycloakClient> findClient(String clientId) {
		JsonNode clients = call("find client " + clientId, "GET",
				realmPath("clients") + "?clientId=" + encode(clientId) + "&search=false", null);
		for (JsonNode client : clients) {
			// Compared here as well: what "search" means for the clientId parameter has changed between versions.
			if (clientId.equals(client.path("clientId").asText(null))) {
				return Optional.of(clientOf(client));
			}
		}
		return Optional.empty();
	}

	/**
	 * Every client of the target realm, a page at a time. Keycloak's listing carries each confidential client's secret
	 * and attributes (the rotated secret among them); only the fields of {@link KeycloakClient} are read, the rest is
	 * dropped with the page, and nothing of it is logged.
	 */
	List<KeycloakClient> listClients() {
		List<KeycloakClient> result = new ArrayList<>();
		for (int first = 0;; first += LIST_PAGE) {
			JsonNode page = call("list the clients", "GET",
					realmPath("clients") + "?first=" + first + "&max=" + LIST_PAGE, null);
			page.forEach(client -> result.add(clientOf(client)));
			if (page.size() < LIST_PAGE) {
				return result;
			}
		}
	}

	private static KeycloakClient clientOf(JsonNode client) {
		return new KeycloakClient(client.path("id").asText(), client.path("clientId").asText(),
				client.path("enabled").asBoolean(false), client.path("serviceAccountsEnabled").asBoolean(false),
				!client.path("publicClient").asBoolean(false) && !client.path("bearerOnly").asBoolean(false),
				client.path("attributes").path(SECRET_CREATION_TIME).asText(null));
	}

	/**
	 * The client's current secret, to check that it is what a sink received or a journal's fingerprint says. The value
	 * is the live credential: compare it, never log or store it.
	 */
	ClientSecret readSecret(String clientId) {
		KeycloakClient client = requireConfidential(clientId, "read the secret of");
		JsonNode answer = call("read the secret of client " + clientId, "GET", clientPath(client, "client-secret"),
				null);
		return secretOf(answer, "read the secret of client " + clientId);
	}

	/**
	 * Makes Keycloak generate a new secret for the client ({@code POST .../client-secret}) and returns it.
	 *
	 * <p>Without a rotation policy the old secret stops working at once. Where a client policy of the realm applies the
	 * {@code secret-rotation} executor to the client (a preview feature, {@code --features=client-secret-rotation}),
	 * Keycloak keeps the old secret as the "rotated" one until the policy's window ends, and the answer says until when;
	 * {@link #endRotatedSecret(String)} ends it earlier. Regenerating again inside the window replaces the rotated secret
	 * with the current one, so the secret before that stops working at once.
	 */
	SecretRotation regenerateSecret(String clientId) {
		KeycloakClient client = requireConfidential(clientId, "regenerate the secret of");
		String operation = "regenerate the secret of client " + clientId;
		ClientSecret secret = secretOf(call(operation, "POST", clientPath(client, "client-secret"), null), operation);
		Optional<Instant> previousValidUntil = rotatedSecretValidUntil(client);
		log.info("Keycloak {} realm {}: regenerated the secret of client {}; the previous one {}", this.target.url(),
				this.target.realm(), clientId,
				previousValidUntil.map(until -> "stays valid until " + until).orElse("stopped working"));
		return new SecretRotation(secret, previousValidUntil);
	}

	/**
	 * When the rotated secret that Keycloak still keeps for this client stops working; empty when it keeps none. The
	 * instant is Keycloak's own (in whole seconds, by its clock) and may already have passed: Keycloak refuses an expired
	 * rotated secret but keeps it until the client is rotated again or {@link #endRotatedSecret(String)} removes it.
	 */
	Optional<Instant> rotatedSecretValidUntil(String clientId) {
		return rotatedSecretValidUntil(requireConfidential(clientId, "look at the rotated secret of"));
	}

	/**
	 * Ends the client's rotated secret now ({@code DELETE .../client-secret/rotated}), so that only the current secret
	 * works. Succeeds also when there is none, so a retry is harmless.
	 */
	void endRotatedSecret(String clientId) {
		KeycloakClient client = requireConfidential(clientId, "end the rotated secret of");
		call("end the rotated secret of client " + clientId, "DELETE", clientPath(client, "client-secret/rotated"),
				null);
		log.info("Keycloak {} realm {}: ended the rotated secret of client {}", this.target.url(), this.target.realm(),
				clientId);
	}

	/**
	 * Whether the server has Keycloak's {@code client-secret-rotation} feature enabled, from its server info. Only then
	 * can a realm have a rotation policy; whether one applies to a given client shows in
	 * {@link SecretRotation#previousKept()}. Needs an administrator allowed to read the server info.
	 */
	boolean secretRotationFeatureEnabled() {
		JsonNode info = call("read the server info", "GET", this.target.url() + "/admin/serverinfo", null);
		for (JsonNode feature : info.path("features")) {
			if (ROTATION_FEATURE.equals(feature.path("name").asText())) {
				return feature.path("enabled").asBoolean(false);
			}
		}
		// Older servers have no "features" list, only profile lists: enabled means a known preview feature that is not
		// listed as disabled.
		JsonNode profile = info.path("profileInfo");
		return contains(profile.path("previewFeatures"), ROTATION_FEATURE)
				&& !contains(profile.path("disabledFeatures"), ROTATION_FEATURE);
	}

	/**
	 * Enables or disables the client. A disabled client gets no new token; to revoke the ones it already has, also
	 * {@link #pushNotBefore(String)}. Under a rotation policy, see {@link ClientUpdate#secretReplaced()}.
	 */
	ClientUpdate setEnabled(String clientId, boolean enabled) {
		KeycloakClient client = require(clientId);
		String operation = (enabled ? "enable" : "disable") + " client " + clientId;
		ClientUpdate update = updateClient(client, operation, representation -> representation.put("enabled", enabled));
		log.info("Keycloak {} realm {}: {}d client {}", this.target.url(), this.target.realm(),
				enabled ? "enable" : "disable", clientId);
		return update;
	}

	/**
	 * Revokes every token issued to the client until now: sets the client's not-before time, after which Keycloak
	 * treats older tokens as invalid (token introspection answers {@code active: false}), and pushes it to the client's
	 * admin URL when it has one ({@code POST .../push-revocation}, which does nothing else and nothing at all for a
	 * client without one, the usual service account).
	 *
	 * <p>Keycloak compares a token's {@code iat} with the not-before time in whole seconds ({@code iat < notBefore} is
	 * invalid), so the time set is the next second by our clock: a token issued in the second of the call is revoked
	 * too. It never moves an existing not-before time back. Resource servers that only check an access token's signature
	 * and expiry keep accepting it until it expires; that is the nature of self-contained tokens.
	 *
	 * <p>Under a rotation policy, see {@link ClientUpdate#secretReplaced()}.
	 */
	ClientUpdate pushNotBefore(String clientId) {
		KeycloakClient client = require(clientId);
		String operation = "push a not-before revocation for client " + clientId;
		long wanted = this.clock.instant().getEpochSecond() + 1;
		ClientUpdate update = updateClient(client, operation, representation -> representation.put("notBefore",
				Math.max(wanted, representation.path("notBefore").asLong(0))));
		call(operation, "POST", clientPath(client, "push-revocation"), null);
		log.info("Keycloak {} realm {}: tokens of client {} issued before {} are revoked", this.target.url(),
				this.target.realm(), clientId, update.notBefore());
		return update;
	}

	/** The realm and client roles mapped directly to the client's service-account user. */
	ServiceAccountRoles serviceAccountRoles(String clientId) {
		String userId = serviceAccountUserId(require(clientId));
		JsonNode mappings = call("read the roles of client " + clientId, "GET",
				realmPath("users/" + encode(userId) + "/role-mappings"), null);
		Set<String> realmRoles = names(mappings.path("realmMappings"));
		Map<String, Set<String>> clientRoles = new LinkedHashMap<>();
		mappings.path("clientMappings").fields().forEachRemaining(entry -> {
			// Keyed by the defining client's clientId; "client" repeats it, and is the one to trust if both exist.
			String owner = entry.getValue().path("client").asText(entry.getKey());
			clientRoles.put(owner, names(entry.getValue().path("mappings")));
		});
		return new ServiceAccountRoles(realmRoles, clientRoles);
	}

	/** Removes these realm roles from the client's service-account user; roles it does not have are no error. */
	void removeRealmRoles(String clientId, Collection<String> roles) {
		changeRealmRoles(clientId, roles, "DELETE", "remove realm roles " + roles + " from client " + clientId);
	}

	/** Maps these realm roles to the client's service-account user; roles it already has are no error. */
	void addRealmRoles(String clientId, Collection<String> roles) {
		changeRealmRoles(clientId, roles, "POST", "add realm roles " + roles + " to client " + clientId);
	}

	/**
	 * Removes these roles of client {@code roleClientId} from the service-account user of client {@code clientId};
	 * roles it does not have are no error.
	 */
	void removeClientRoles(String clientId, String roleClientId, Collection<String> roles) {
		changeClientRoles(clientId, roleClientId, roles, "DELETE",
				"remove roles " + roles + " of client " + roleClientId + " from client " + clientId);
	}

	/** Maps these roles of client {@code roleClientId} to the service-account user of client {@code clientId}. */
	void addClientRoles(String clientId, String roleClientId, Collection<String> roles) {
		changeClientRoles(clientId, roleClientId, roles, "POST",
				"add roles " + roles + " of client " + roleClientId + " to client " + clientId);
	}

	/**
	 * Asks the target realm's token endpoint for a token as this client with this secret ({@code client_credentials}):
	 * the real use of a credential that verification needs. A refusal (400, 401, 403: a wrong or expired secret, a
	 * disabled client, no service account) is an answer, not an error; the roles come from the issued token.
	 *
	 * <p>The token's claims are read without checking its signature: it came straight from the token endpoint over the
	 * configured connection, and nothing is granted on the strength of it; it is discarded after reading.
	 */
	TokenResult tokenRequest(String clientId, String secret) {
		String operation = "token request as client " + clientId;
		HttpRequest request = formRequest(tokenEndpoint(this.target.realm()),
				Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
		Answer answer = exchange(operation, request, secret);
		int status = answer.status();
		if (status == 400 || status == 401 || status == 403) {
			return TokenResult.refused(status, readTree(answer.body()).path("error").asText(null));
		}
		checked(operation, answer, secret);
		String token = readTree(answer.body()).path("access_token").asText(null);
		if (token == null) {
			throw new KeycloakUnavailableException(describe(operation) + " answered " + status + " without a token");
		}
		JsonNode claims = claimsOf(token);
		Set<String> realmRoles = names(claims.path("realm_access").path("roles"), JsonNode::asText);
		Map<String, Set<String>> clientRoles = new LinkedHashMap<>();
		claims.path("resource_access")
			.fields()
			.forEachRemaining(entry -> clientRoles.put(entry.getKey(),
					names(entry.getValue().path("roles"), JsonNode::asText)));
		return new TokenResult(status, null, realmRoles, clientRoles);
	}

	// ---- clients ---------------------------------------------------------------------------------------------------

	private KeycloakClient require(String clientId) {
		return findClient(clientId).orElseThrow(() -> new KeycloakRefusedException(404,
				describe("find client " + clientId) + ": no client '" + clientId + "' in realm " + this.target.realm()));
	}

	private KeycloakClient requireConfidential(String clientId, String what) {
		KeycloakClient client = require(clientId);
		if (!client.confidential()) {
			throw new KeycloakRefusedException(409, describe(what + " client " + clientId)
					+ ": the client is public or bearer-only and has no secret");
		}
		return client;
	}

	/**
	 * Reads the client's full representation, changes it and writes it back, then reads it again to report what the
	 * update left behind. The whole representation, because a partial one is not a patch to Keycloak: fields left out
	 * are reset (authorization services, for one, are switched off when the field is absent). A change by someone else
	 * between the read and the write is overwritten.
	 */
	private ClientUpdate updateClient(KeycloakClient client, String operation, Consumer<ObjectNode> change) {
		JsonNode before = call(operation, "GET", clientPath(client, null), null);
		if (!(before instanceof ObjectNode representation)) {
			throw new KeycloakUnavailableException(describe(operation) + ": Keycloak sent no client representation");
		}
		String secretBefore = representation.path("secret").asText("");
		ObjectNode changed = representation.deepCopy();
		change.accept(changed);
		call(operation, "PUT", clientPath(client, null), changed);
		JsonNode after = call(operation, "GET", clientPath(client, null), null);
		// Compared, never printed: both are the live credential or the one it replaced.
		boolean secretReplaced = !secretBefore.isEmpty()
				&& !new ClientSecret(secretBefore).matches(after.path("secret").asText(""));
		if (secretReplaced) {
			log.warn("Keycloak {} realm {}: updating client {} made Keycloak replace its secret (the realm's rotation "
					+ "policy had expired it); nobody received the new secret", this.target.url(), this.target.realm(),
					client.clientId());
		}
		return new ClientUpdate(Instant.ofEpochSecond(after.path("notBefore").asLong(0)), secretReplaced);
	}

	private Optional<Instant> rotatedSecretValidUntil(KeycloakClient client) {
		JsonNode attributes = call("look at the rotated secret of client " + client.clientId(), "GET",
				clientPath(client, null), null)
			.path("attributes");
		JsonNode rotated = attributes.path(ROTATED_SECRET);
		if (!rotated.isTextual() || rotated.asText().isEmpty()) {
			return Optional.empty();
		}
		long expiry = attributes.path(ROTATED_SECRET_EXPIRATION).asLong(0);
		// A rotated secret without an end is one Keycloak keeps until further notice; say so rather than "none".
		return Optional.of((expiry > 0) ? Instant.ofEpochSecond(expiry) : Instant.MAX);
	}

	private ClientSecret secretOf(JsonNode credential, String operation) {
		String value = credential.path("value").asText(null);
		if (value == null || value.isEmpty()) {
			throw new KeycloakUnavailableException(describe(operation) + ": Keycloak answered without a secret");
		}
		return new ClientSecret(value);
	}

	// ---- roles -----------------------------------------------------------------------------------------------------

	private String serviceAccountUserId(KeycloakClient client) {
		if (!client.serviceAccountsEnabled()) {
			throw new KeycloakRefusedException(409, describe("find the service account of client " + client.clientId())
					+ ": the client has no service account");
		}
		JsonNode user = call("find the service account of client " + client.clientId(), "GET",
				clientPath(client, "service-account-user"), null);
		return user.path("id").asText();
	}

	private void changeRealmRoles(String clientId, Collection<String> roles, String method, String operation) {
		if (roles.isEmpty()) {
			return;
		}
		String userId = serviceAccountUserId(require(clientId));
		ArrayNode representations = this.json.createArrayNode();
		for (String role : new LinkedHashSet<>(roles)) {
			representations.add(call(operation, "GET", realmPath("roles/" + encode(role)), null));
		}
		call(operation, method, realmPath("users/" + encode(userId) + "/role-mappings/realm"), representations);
		log.info("Keycloak {} realm {}: {}", this.target.url(), this.target.realm(), operation);
	}

	private void changeClientRoles(String clientId, String roleClientId, Collection<String> roles, String method,
			String operation) {
		if (roles.isEmpty()) {
			return;
		}
		String userId = serviceAccountUserId(require(clientId));
		KeycloakClient owner = require(roleClientId);
		ArrayNode representations = this.json.createArrayNode();
		for (String role : new LinkedHashSet<>(roles)) {
			representations.add(call(operation, "GET", clientPath(owner, "roles/" + encode(role)), null));
		}
		call(operation, method,
				realmPath("users/" + encode(userId) + "/role-mappings/clients/" + encode(owner.id())),
				representations);
		log.info("Keycloak {} realm {}: {}", this.target.url(), this.target.realm(), operation);
	}

	// ---- HTTP ------------------------------------------------------------------------------------------------------

	/** One admin API call with the admin token, fetching a new token once if Keycloak refuses the one we had. */
	private JsonNode call(String operation, String method, String url, JsonNode body) {
		Answer answer = exchange(operation, adminRequest(method, url, body, adminToken(false)));
		if (answer.status() == 401) {
			answer = exchange(operation, adminRequest(method, url, body, adminToken(true)));
		}
		return readTree(checked(operation, answer).body());
	}

	private HttpRequest adminRequest(String method, String url, JsonNode body, String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(this.target.timeout())
			.header("Authorization", "Bearer " + token)
			.header("Accept", "application/json");
		if (body == null) {
			return request.method(method, HttpRequest.BodyPublishers.noBody()).build();
		}
		return request.header("Content-Type", "application/json")
			.method(method, HttpRequest.BodyPublishers.ofString(write(body), StandardCharsets.UTF_8))
			.build();
	}

	private String adminToken(boolean renew) {
		synchronized (this.tokenLock) {
			Instant now = this.clock.instant();
			if (!renew && this.adminToken != null && now.isBefore(this.adminTokenRenewAt)) {
				return this.adminToken;
			}
			String operation;
			Map<String, String> form;
			if (this.target.usesClientCredentials()) {
				operation = "admin login as client " + this.target.clientId() + " in realm " + this.target.authRealm();
				form = Map.of("grant_type", "client_credentials", "client_id", this.target.clientId(), "client_secret",
						this.target.clientSecret());
			}
			else {
				operation = "admin login as user " + this.target.username() + " in realm " + this.target.authRealm();
				form = Map.of("grant_type", "password", "client_id", KeycloakTarget.ADMIN_CLI, "username",
						this.target.username(), "password", this.target.password());
			}
			Answer answer = checked(operation,
					exchange(operation, formRequest(tokenEndpoint(this.target.authRealm()), form)));
			JsonNode token = readTree(answer.body());
			String accessToken = token.path("access_token").asText(null);
			if (accessToken == null) {
				throw new KeycloakUnavailableException(describe(operation) + ": Keycloak answered without a token");
			}
			Duration lifetime = Duration.ofSeconds(Math.max(1, token.path("expires_in").asLong(60)));
			Duration margin = (lifetime.compareTo(TOKEN_RENEWAL_MARGIN.multipliedBy(2)) < 0) ? lifetime.dividedBy(2)
					: TOKEN_RENEWAL_MARGIN;
			this.adminToken = accessToken;
			this.adminTokenRenewAt = now.plus(lifetime).minus(margin);
			return accessToken;
		}
	}

	private HttpRequest formRequest(String url, Map<String, String> form) {
		String body = form.entrySet()
			.stream()
			.map(entry -> formEncode(entry.getKey()) + "=" + formEncode(entry.getValue()))
			.collect(Collectors.joining("&"));
		return HttpRequest.newBuilder(URI.create(url))
			.timeout(this.target.timeout())
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build();
	}

	private Answer exchange(String operation, HttpRequest request, String... moreSecrets) {
		CompletableFuture<HttpResponse<String>> future = this.http.sendAsync(request,
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		// The request timeout ends when the headers arrive; this also bounds a server that then trickles the body.
		Duration limit = this.target.timeout().multipliedBy(2);
		try {
			HttpResponse<String> response = future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
			return new Answer(response.statusCode(), response.body());
		}
		catch (InterruptedException ex) {
			future.cancel(true);
			Thread.currentThread().interrupt();
			throw new KeycloakUnavailableException(describe(operation) + " was interrupted");
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new KeycloakUnavailableException(describe(operation) + " got no answer within " + limit);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null)
					? wrapped.getCause() : ex.getCause();
			// Only the exception's class and message: neither the request nor its body, which may hold a secret.
			String reason = cause.getClass().getSimpleName()
					+ ((cause.getMessage() != null) ? ": " + redact(cause.getMessage(), moreSecrets) : "");
			if (cause instanceof IOException || cause instanceof IllegalArgumentException) {
				throw new KeycloakUnavailableException(describe(operation) + " failed: " + reason);
			}
			throw new KeycloakUnavailableException(describe(operation) + " failed unexpectedly: " + reason);
		}
	}

	private Answer checked(String operation, Answer answer, String... moreSecrets) {
		int status = answer.status();
		if (status >= 200 && status <= 299) {
			return answer;
		}
		String detail = redact(errorText(answer.body()), moreSecrets);
		if (status >= 500 || status == 408 || status == 429) {
			throw new KeycloakUnavailableException(describe(operation) + " failed: HTTP " + status + detail);
		}
		throw new KeycloakRefusedException(status, describe(operation) + " refused: HTTP " + status + detail);
	}

	private String describe(String operation) {
		return "Keycloak " + this.target.url() + " realm " + this.target.realm() + ": " + operation;
	}

	/** Keycloak's error code and text when it sent its usual JSON, else the start of whatever it sent, on one line. */
	private String errorText(String body) {
		if (body == null || body.isBlank()) {
			return "";
		}
		String text;
		try {
			JsonNode error = this.json.readTree(body);
			List<String> parts = new ArrayList<>();
			for (String field : List.of("error", "error_description", "errorMessage")) {
				if (error.path(field).isTextual()) {
					parts.add(error.path(field).asText());
				}
			}
			text = parts.isEmpty() ? body : String.join(": ", parts);
		}
		catch (JsonProcessingException ex) {
			text = body;
		}
		String flat = text.strip().replaceAll("\\p{Cntrl}", " ");
		return " (" + ((flat.length() <= MAX_QUOTED) ? flat : flat.substring(0, MAX_QUOTED) + "…") + ")";
	}

	/** Blanks out every secret this client knows, in case a server, proxy or library ever echoes one back. */
	private String redact(String text, String... moreSecrets) {
		String result = text;
		List<String> secrets = new ArrayList<>(List.of(moreSecrets));
		secrets.add(this.target.clientSecret());
		secrets.add(this.target.password());
		for (String secret : secrets) {
			if (secret != null && !secret.isEmpty()) {
				result = result.replace(secret, "***");
			}
		}
		return result;
	}

	private JsonNode readTree(String body) {
		if (body == null || body.isBlank()) {
			return this.json.missingNode();
		}
		try {
			return this.json.readTree(body);
		}
		catch (JsonProcessingException ex) {
			// Not even the start of the body: a broken answer to a token or secret request may contain one.
			throw new KeycloakUnavailableException("Keycloak " + this.target.url() + " sent an answer that is not JSON");
		}
	}

	private String write(JsonNode body) {
		try {
			return this.json.writeValueAsString(body);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Cannot write a JSON tree", ex);
		}
	}

	private JsonNode claimsOf(String token) {
		String[] parts = token.split("\\.");
		if (parts.length < 2) {
			return this.json.missingNode();
		}
		try {
			return this.json.readTree(Base64.getUrlDecoder().decode(parts[1]));
		}
		catch (IOException | IllegalArgumentException ex) {
			return this.json.missingNode();
		}
	}

	private String realmPath(String path) {
		return this.target.url() + "/admin/realms/" + encode(this.target.realm()) + "/" + path;
	}

	private String clientPath(KeycloakClient client, String path) {
		String base = realmPath("clients/" + encode(client.id()));
		return (path == null) ? base : base + "/" + path;
	}

	private String tokenEndpoint(String realm) {
		return this.target.url() + "/realms/" + encode(realm) + "/protocol/openid-connect/token";
	}

	/** One path segment or query value: a role or client named "a/b" or "x&y" stays one name. */
	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private static String formEncode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static Set<String> names(JsonNode roles) {
		return names(roles, role -> role.path("name").asText());
	}

	private static Set<String> names(JsonNode roles, Function<JsonNode, String> name) {
		Set<String> result = new LinkedHashSet<>();
		roles.forEach(role -> result.add(name.apply(role)));
		return result;
	}

	private static boolean contains(JsonNode array, String value) {
		for (JsonNode element : array) {
			if (value.equals(element.asText())) {
				return true;
			}
		}
		return false;
	}

	private record Answer(int status, String body) {
	}

}
