package io.countersign.toolserver;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Checks a Countersign approval receipt before a tool server executes the tool call it approves. Uses only the JDK,
 * so that a tool server can copy this one class (and its package-private JSON reader) instead of taking a dependency.
 *
 * <p>Checks, in this order, each refusal a {@link Refused} with its {@link Refused#reason() reason}: the receipt
 * parses and has every claim ({@code malformed}); it is a receipt, signed (ES256) by a key the Countersign server
 * publishes, from the configured issuer ({@code foreign}); it has not expired, with no leeway ({@code expired}); it is
 * for this tool ({@code tool-mismatch}) and these exact arguments ({@code arguments-mismatch}); it grants the scopes
 * the call requires ({@code scope-missing}); and, unless {@link Use#OFFLINE}, the server accepts the use: it answers
 * {@code replayed}, {@code revoked}, {@code expired} and the like itself, and any other failure is
 * {@code unverifiable}.
 *
 * <p>Keys come from {@code {baseUrl}/.well-known/jwks.json} and are kept five minutes. A receipt with an unknown key
 * id makes the verifier fetch them again, at most once every 30 seconds. When the keys cannot be fetched, receipts
 * are refused as {@code unverifiable}: no stale key outlives its five minutes.
 *
 * <p>Thread-safe: one instance per tool server.
 */
public final class ToolCallVerifier {

	/** How the Countersign server takes part in a check. */
	public enum Use {

		/** Local checks only: signature, expiry, tool, arguments, scope. No revocation, no replay protection. */
		OFFLINE,

		/** Local checks, then the use is reported; the server refuses it when the action was revoked or expired. */
		REPORT,

		/** Like {@link #REPORT}, and the server spends the receipt: a second use is refused {@code replayed}. */
		SINGLE

	}

	/**
	 * What a receipt approved.
	 *
	 * @param actionId the agent action ({@code sub}), a UUID
	 * @param receiptId the receipt ({@code jti})
	 * @param agent the agent the action was approved for
	 * @param accountId the account the agent acts for
	 * @param tool the tool the receipt is for
	 * @param scope the granted scope tokens, possibly none
	 * @param approvers who approved
	 * @param policyRule the rule the approval satisfied
	 * @param grant the standing grant that approved it automatically, or {@code null} when people approved it
	 * @param expiresAt when the receipt stops being valid
	 */
	public record Verified(String actionId, String receiptId, String agent, String accountId, String tool,
			List<String> scope, List<String> approvers, String policyRule, String grant, Instant expiresAt) {

		public Verified {
			scope = List.copyOf(scope);
			approvers = List.copyOf(approvers);
		}

	}

	/**
	 * A receipt that does not authorise the tool call. The message adds detail for logs, never the token.
	 */
	public static final class Refused extends RuntimeException {

		/** Not a compact JWS, or a claim is missing or of the wrong type. */
		public static final String MALFORMED = "malformed";

		/** Not a receipt, not signed by a published key, or not from the configured issuer. */
		public static final String FOREIGN = "foreign";

		/** Past its expiry here; the server may also answer this for a use it is reported. */
		public static final String EXPIRED = "expired";

		public static final String TOOL_MISMATCH = "tool-mismatch";

		/** The arguments received are not the ones approved (or not a JSON object). */
		public static final String ARGUMENTS_MISMATCH = "arguments-mismatch";

		public static final String SCOPE_MISSING = "scope-missing";

		/** Answered by the server: the receipt was spent by an earlier single use. */
		public static final String REPLAYED = "replayed";

		/** Answered by the server: the action was revoked after approval. */
		public static final String REVOKED = "revoked";

		/** The server could not be asked (keys or use report): refused, since nobody said yes. */
		public static final String UNVERIFIABLE = "unverifiable";

		private static final long serialVersionUID = 1L;

		private static final int MAX_DETAIL_LENGTH = 500;

		private final String reason;

		Refused(String reason, String detail) {
			this(reason, detail, null);
		}

		Refused(String reason, String detail, Throwable cause) {
			super("Receipt refused (" + reason + "): " + printable(detail), cause);
			this.reason = reason;
		}

		/**
		 * One of the constants here, or another reason the server gave for refusing a use (lower case and hyphens).
		 * @return why the receipt was refused
		 */
		public String reason() {
			return this.reason;
		}

		/** Details quote claims of tokens nobody has verified yet: no line breaks into logs, no megabytes. */
		private static String printable(String detail) {
			String flat = detail.replaceAll("\\p{Cntrl}", "?");
			return (flat.length() <= MAX_DETAIL_LENGTH) ? flat : flat.substring(0, MAX_DETAIL_LENGTH) + "…";
		}

	}

	static final String DEFAULT_ISSUER = "countersign";

	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

	static final String JWKS_PATH = "/.well-known/jwks.json";

	static final String ALGORITHM = "ES256";

	static final String TYPE = "countersign-receipt+jwt";

	/** Far above any receipt the server signs; a bound before parsing untrusted input. */
	static final int MAX_TOKEN_LENGTH = 16 * 1024;

	static final Duration KEYS_MAX_AGE = Duration.ofMinutes(5);

	/** Unknown key ids are for anyone to invent: each may cost the server a fetch, but not more than this often. */
	static final Duration REFETCH_INTERVAL = Duration.ofSeconds(30);

	private static final int MAX_JWKS_BYTES = Json.MAX_LENGTH;

	private static final int MAX_PROBLEM_BYTES = 64 * 1024;

	/** A tool name after {@link #normalizeToolName}: lower-case ASCII letters, digits and {@code . _ : / -}. */
	private static final Pattern TOOL_NAME = Pattern.compile("[a-z0-9][a-z0-9._:/-]{0,127}");

	private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");

	/** The action id goes into a URL path; a UUID cannot walk out of it. */
	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private static final Pattern SERVER_REASON = Pattern.compile("[a-z-]{1,40}");

	private static final ECParameterSpec P256 = p256();

	private final String baseUrl;

	private final String issuer;

	private final String authorization;

	private final Clock clock;

	private final Duration timeout;

	private final HttpClient http;

	/** Held while fetching keys, so that concurrent verifications wait for one fetch instead of making many. */
	private final Object fetchLock = new Object();

	private volatile KeySet keys;

	/** Guarded by {@link #fetchLock}; failed fetches count too, so a server that is down is not asked every call. */
	private Instant lastFetch = Instant.MIN;

	private ToolCallVerifier(Builder builder) {
		String base = builder.baseUrl.toString();
		this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
		this.issuer = builder.issuer;
		this.authorization = builder.authorization;
		this.clock = builder.clock;
		this.timeout = builder.timeout;
		this.http = (builder.httpClient != null) ? builder.httpClient
				: HttpClient.newBuilder()
					.connectTimeout(builder.timeout)
					// Never follow: a redirect would carry the credentials and the receipt somewhere unchecked.
					.followRedirects(HttpClient.Redirect.NEVER)
					.build();
	}

	/**
	 * Starts a verifier for one Countersign server.
	 * @param baseUrl the server, for instance {@code https://countersign.example.com}; keys are fetched from
	 * {@code {baseUrl}/.well-known/jwks.json} and uses reported to {@code {baseUrl}/api/v1/agent-actions/{id}/uses}
	 * @return a builder
	 * @throws IllegalArgumentException when the URL is not an absolute http(s) URL without query or fragment
	 */
	public static Builder builder(URI baseUrl) {
		return new Builder(baseUrl);
	}

	/**
	 * Verifies a receipt for a tool call that needs no particular scope.
	 * @param receipt the compact JWS the agent presented
	 * @param tool the tool being called, as the tool server names it (never taken from the agent's request)
	 * @param argumentsJson the call's arguments, a JSON object, exactly as the tool received them
	 * @param use whether, and how, the server takes part
	 * @return what the receipt approved
	 * @throws Refused when the receipt does not authorise this call now
	 * @throws IllegalArgumentException when the tool name is not valid (a bug in the caller, not in the receipt)
	 * @see #verify(String, String, String, Use, String)
	 */
	public Verified verify(String receipt, String tool, String argumentsJson, Use use) {
		return verify(receipt, tool, argumentsJson, use, null);
	}

	/**
	 * Verifies a receipt for a tool call, before the tool executes it.
	 * @param receipt the compact JWS the agent presented
	 * @param givenTool the tool being called, as the tool server names it (never taken from the agent's request);
	 * compared {@linkplain #normalizeToolName normalized}
	 * @param argumentsJson the call's arguments, a JSON object, exactly as the tool received them
	 * @param use whether, and how, the server takes part
	 * @param requiredScope space-separated scope tokens the receipt must all grant, or {@code null} for none
	 * @return what the receipt approved
	 * @throws Refused when the receipt does not authorise this call now
	 * @throws IllegalArgumentException when the tool name is not valid (a bug in the caller, not in the receipt)
	 */
	public Verified verify(String receipt, String givenTool, String argumentsJson, Use use, String requiredScope) {
		String tool = normalizeToolName(givenTool);
		Objects.requireNonNull(use, "use");
		List<String> required = scopeTokens(requiredScope);
		Receipt parsed = Receipt.parse(receipt);
		Verified claims = parsed.claims;
		checkOrigin(parsed);
		Instant now = this.clock.instant();
		if (!claims.expiresAt().isAfter(now)) {
			throw refused(Refused.EXPIRED, claims, "expired at " + claims.expiresAt());
		}
		if (!claims.tool().equals(tool)) {
			throw refused(Refused.TOOL_MISMATCH, claims, "issued for tool " + claims.tool() + ", presented to " + tool);
		}
		String fingerprint;
		try {
			fingerprint = argumentsHash(tool, argumentsJson);
		}
		catch (IllegalArgumentException ex) {
			throw new Refused(Refused.ARGUMENTS_MISMATCH, "receipt " + claims.receiptId() + ": " + ex.getMessage(), ex);
		}
		if (!fingerprint.equals(parsed.fingerprint)) {
			throw refused(Refused.ARGUMENTS_MISMATCH, claims,
					"approved " + parsed.fingerprint + ", presented with " + fingerprint);
		}
		for (String scope : required) {
			if (!claims.scope().contains(scope)) {
				throw refused(Refused.SCOPE_MISSING, claims, "scope " + scope + " not granted");
			}
		}
		if (use != Use.OFFLINE) {
			report(parsed, tool, argumentsJson, use == Use.SINGLE);
		}
		return claims;
	}

	/**
	 * The canonical form of a JSON text, which two equal documents always share: strict RFC 8259 in (duplicate keys,
	 * nesting beyond 64, numbers beyond 1000 digits or scale refused), no insignificant whitespace out, members sorted
	 * by {@link String#compareTo}, numbers in one plain spelling ({@code 1.0} and {@code 1e0} are {@code 1}), strings
	 * with only the escapes JSON requires.
	 * @param json a JSON text of at most 1,048,576 characters
	 * @return its canonical form
	 * @throws IllegalArgumentException when it is not valid JSON, with the offset of the fault
	 */
	public static String canonicalJson(String json) {
		return Json.canonical(Json.parse(json));
	}

	/**
	 * The fingerprint a receipt carries for a tool call: {@code "sha256:"} and the lower-case hex SHA-256 of the UTF-8
	 * bytes of the {@linkplain #normalizeToolName normalized} tool name followed by the canonical JSON of the
	 * arguments. A tool name never contains <code>'&#123;'</code>, so where the name ends is never in doubt.
	 * @param givenTool a valid tool name, see {@link #normalizeToolName}
	 * @param argumentsJson a JSON object
	 * @return {@code sha256:} and 64 lower-case hex digits
	 * @throws IllegalArgumentException when the tool name is not valid or the arguments are not a JSON object
	 */
	public static String argumentsHash(String givenTool, String argumentsJson) {
		String tool = normalizeToolName(givenTool);
		Object arguments;
		try {
			arguments = Json.parse(argumentsJson);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("arguments are " + ex.getMessage(), ex);
		}
		if (!(arguments instanceof Map)) {
			throw new IllegalArgumentException("arguments must be a JSON object");
		}
		byte[] digest = sha256().digest((tool + Json.canonical(arguments)).getBytes(StandardCharsets.UTF_8));
		return "sha256:" + HexFormat.of().formatHex(digest);
	}

	private void checkOrigin(Receipt receipt) {
		Verified claims = receipt.claims;
		// Fixed, never taken from the token: "none", or HS256 keyed with our public key, fail here.
		if (!ALGORITHM.equals(receipt.header.get("alg"))) {
			throw refused(Refused.FOREIGN, claims, "algorithm " + receipt.header.get("alg"));
		}
		if (!TYPE.equals(receipt.header.get("typ"))) {
			throw refused(Refused.FOREIGN, claims, "type " + receipt.header.get("typ"));
		}
		// The server never marks anything critical; an extension we do not know must not be ignored.
		if (receipt.header.containsKey("crit")) {
			throw refused(Refused.FOREIGN, claims, "critical header parameters");
		}
		if (!(receipt.header.get("kid") instanceof String kid)) {
			throw refused(Refused.FOREIGN, claims, "no key id");
		}
		ECPublicKey key = key(kid, claims);
		if (!signatureValid(receipt, key)) {
			throw refused(Refused.FOREIGN, claims, "bad signature for key " + kid);
		}
		if (!this.issuer.equals(receipt.issuer)) {
			throw refused(Refused.FOREIGN, claims, "issuer " + receipt.issuer);
		}
	}

	private static boolean signatureValid(Receipt receipt, ECPublicKey key) {
		if (receipt.signature.length != 64) {
			return false;
		}
		try {
			Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
			verifier.initVerify(key);
			verifier.update(receipt.signingInput);
			return verifier.verify(receipt.signature);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("This JDK cannot verify ES256", ex);
		}
		catch (GeneralSecurityException ex) {
			return false;
		}
	}

	private ECPublicKey key(String kid, Verified claims) {
		KeySet current = this.keys;
		Instant now = this.clock.instant();
		if (current != null && current.freshAt(now) && current.keys.containsKey(kid)) {
			return current.keys.get(kid);
		}
		synchronized (this.fetchLock) {
			// Another thread may have fetched while this one waited.
			current = this.keys;
			now = this.clock.instant();
			boolean fresh = current != null && current.freshAt(now);
			if (fresh && current.keys.containsKey(kid)) {
				return current.keys.get(kid);
			}
			boolean fetchedRecently = now.isBefore(this.lastFetch.plus(REFETCH_INTERVAL));
			if (fresh && fetchedRecently) {
				throw refused(Refused.FOREIGN, claims, "unknown key id " + kid);
			}
			if (fetchedRecently) {
				throw refused(Refused.UNVERIFIABLE, claims, "receipt keys could not be fetched lately");
			}
			this.lastFetch = now;
			current = fetchKeys(now, claims);
			this.keys = current;
			ECPublicKey key = current.keys.get(kid);
			if (key == null) {
				throw refused(Refused.FOREIGN, claims, "unknown key id " + kid);
			}
			return key;
		}
	}

	private KeySet fetchKeys(Instant now, Verified claims) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.baseUrl + JWKS_PATH))
			.timeout(this.timeout)
			.header("Accept", "application/jwk-set+json, application/json")
			.GET()
			.build();
		HttpResponse<byte[]> response = exchange(request, MAX_JWKS_BYTES, "fetching receipt keys", claims);
		if (response.statusCode() != 200) {
			throw refused(Refused.UNVERIFIABLE, claims, "fetching receipt keys answered " + response.statusCode());
		}
		try {
			return keySet(Json.parse(utf8(response.body())), now);
		}
		catch (IllegalArgumentException ex) {
			throw new Refused(Refused.UNVERIFIABLE,
					"receipt " + claims.receiptId() + ": receipt keys are not a JWK set: " + ex.getMessage(), ex);
		}
	}

	/** Keys this verifier cannot use are skipped; a key id published twice is ambiguous and dropped. */
	private static KeySet keySet(Object document, Instant now) {
		if (!(document instanceof Map<?, ?> set) || !(set.get("keys") instanceof List<?> published)) {
			throw new IllegalArgumentException("no \"keys\" array");
		}
		Map<String, ECPublicKey> keys = new HashMap<>();
		Set<String> ambiguous = new HashSet<>();
		for (Object jwk : published) {
			if (jwk instanceof Map<?, ?> member && member.get("kid") instanceof String kid) {
				ECPublicKey key = ecKey(member);
				if (key != null && keys.putIfAbsent(kid, key) != null) {
					ambiguous.add(kid);
				}
			}
		}
		keys.keySet().removeAll(ambiguous);
		return new KeySet(Map.copyOf(keys), now);
	}

	/** @return the key, or {@code null} when it is not a P-256 signing key on the curve */
	private static ECPublicKey ecKey(Map<?, ?> jwk) {
		if (!"EC".equals(jwk.get("kty")) || !"P-256".equals(jwk.get("crv"))) {
			return null;
		}
		if ((jwk.containsKey("use") && !"sig".equals(jwk.get("use")))
				|| (jwk.containsKey("alg") && !ALGORITHM.equals(jwk.get("alg")))) {
			return null;
		}
		BigInteger x = coordinate(jwk.get("x"));
		BigInteger y = coordinate(jwk.get("y"));
		if (x == null || y == null || !onCurve(x, y)) {
			return null;
		}
		try {
			return (ECPublicKey) KeyFactory.getInstance("EC")
				.generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
		}
		catch (GeneralSecurityException ex) {
			return null;
		}
	}

	/** RFC 7518: a P-256 coordinate is exactly 32 bytes, leading zeros kept. */
	private static BigInteger coordinate(Object value) {
		if (!(value instanceof String encoded) || !BASE64URL.matcher(encoded).matches()) {
			return null;
		}
		try {
			byte[] bytes = Base64.getUrlDecoder().decode(encoded);
			return (bytes.length == 32) ? new BigInteger(1, bytes) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/** Not every JDK provider checks that a public point is on the curve; a point off it has no business here. */
	private static boolean onCurve(BigInteger x, BigInteger y) {
		EllipticCurve curve = P256.getCurve();
		BigInteger p = ((ECFieldFp) curve.getField()).getP();
		if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
			return false;
		}
		BigInteger left = y.multiply(y).mod(p);
		BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
		return left.equals(right);
	}

	private void report(Receipt receipt, String tool, String argumentsJson, boolean singleUse) {
		Verified claims = receipt.claims;
		StringBuilder body = new StringBuilder("{\"receipt\":");
		Json.writeString(receipt.token, body);
		body.append(",\"tool\":");
		Json.writeString(tool, body);
		// Parsed as a JSON object by the fingerprint check, so it can be embedded as it came.
		body.append(",\"arguments\":").append(argumentsJson).append(",\"singleUse\":").append(singleUse).append('}');
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create(this.baseUrl + "/api/v1/agent-actions/" + claims.actionId() + "/uses"))
			.timeout(this.timeout)
			.header("Content-Type", "application/json")
			.header("Accept", "application/json, application/problem+json")
			.POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
		if (this.authorization != null) {
			request.header("Authorization", this.authorization);
		}
		HttpResponse<byte[]> response = exchange(request.build(), MAX_PROBLEM_BYTES, "reporting the use", claims);
		int status = response.statusCode();
		if (status == 200 || status == 201 || status == 204) {
			return;
		}
		if (status == 409) {
			String reason = problemReason(response);
			if (reason != null) {
				throw refused(reason, claims, "the server refused the use");
			}
		}
		throw refused(Refused.UNVERIFIABLE, claims, "reporting the use answered " + status);
	}

	/** @return the problem's {@code reason}, or {@code null} when the answer is not a problem we understand */
	private static String problemReason(HttpResponse<byte[]> response) {
		String contentType = response.headers().firstValue("Content-Type").orElse("");
		String mediaType = contentType.split(";", 2)[0].strip();
		if (!"application/problem+json".equalsIgnoreCase(mediaType)) {
			return null;
		}
		try {
			if (Json.parse(utf8(response.body())) instanceof Map<?, ?> problem
					&& problem.get("reason") instanceof String reason && SERVER_REASON.matcher(reason).matches()) {
				return reason;
			}
			return null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * One request, bounded in time (connecting, waiting and reading together) and in size, so that a slow or
	 * oversized answer cannot hold a tool call.
	 */
	private HttpResponse<byte[]> exchange(HttpRequest request, int maxBytes, String what, Verified claims) {
		CompletableFuture<HttpResponse<byte[]>> future = this.http.sendAsync(request,
				info -> new CappedBody(maxBytes));
		try {
			return future.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			future.cancel(true);
			Thread.currentThread().interrupt();
			throw new Refused(Refused.UNVERIFIABLE, "receipt " + claims.receiptId() + ": " + what + " was interrupted",
					ex);
		}
		catch (ExecutionException ex) {
			throw new Refused(Refused.UNVERIFIABLE,
					"receipt " + claims.receiptId() + ": " + what + " failed: " + ex.getCause(), ex.getCause());
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new Refused(Refused.UNVERIFIABLE,
					"receipt " + claims.receiptId() + ": " + what + " took longer than " + this.timeout, ex);
		}
	}

	private static Refused refused(String reason, Verified claims, String detail) {
		return new Refused(reason, "receipt " + claims.receiptId() + ": " + detail);
	}

	/**
	 * The one spelling of a tool name that policy, receipts and tool servers compare: ASCII letters in lower case.
	 * {@code Shell.exec} and {@code SHELL.exec} are {@code shell.exec}, so a policy rule for {@code shell.} cannot be
	 * dodged by a capital letter. Anything outside ASCII letters, digits and {@code . _ : / -} (whitespace, non-ASCII
	 * look-alikes such as a Cyrillic {@code а}) is refused rather than mapped, as is a name that does not start with a
	 * letter or digit or is longer than 128 characters.
	 * @throws IllegalArgumentException when the name is not valid
	 */
	public static String normalizeToolName(String tool) {
		if (tool == null) {
			throw new IllegalArgumentException("tool is required");
		}
		StringBuilder normalized = new StringBuilder(tool.length());
		for (int i = 0; i < tool.length(); i++) {
			char c = tool.charAt(i);
			normalized.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
		}
		if (!TOOL_NAME.matcher(normalized).matches()) {
			throw new IllegalArgumentException("tool is required: 1 to 128 ASCII letters, digits, '.', '_', ':', '/' or "
					+ "'-', starting with a letter or digit (capitals count as lower case); was " + printable(tool));
		}
		return normalized.toString();
	}

	/** A rejected name as a log line can carry it: quoted, control and non-ASCII characters escaped, cut short. */
	private static String printable(String value) {
		StringBuilder out = new StringBuilder("'");
		for (int i = 0; i < value.length() && i < 140; i++) {
			char c = value.charAt(i);
			if (c >= 0x20 && c < 0x7f) {
				out.append(c);
			}
			else {
				out.append(String.format("\\u%04x", (int) c));
			}
		}
		return out.append(value.length() > 140 ? "'..." : "'").toString();
	}

	private static List<String> scopeTokens(String scope) {
		if (scope == null) {
			return List.of();
		}
		List<String> tokens = new ArrayList<>();
		for (String token : scope.split(" ")) {
			if (!token.isEmpty()) {
				tokens.add(token);
			}
		}
		return List.copyOf(tokens);
	}

	/** Strict: bytes that are not UTF-8 were not written by the server, and replacing them would hide that. */
	private static String utf8(byte[] bytes) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new IllegalArgumentException("not UTF-8", ex);
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every JDK has SHA-256", ex);
		}
	}

	private static ECParameterSpec p256() {
		try {
			AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
			parameters.init(new ECGenParameterSpec("secp256r1"));
			return parameters.getParameterSpec(ECParameterSpec.class);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("This JDK has no P-256 curve", ex);
		}
	}

	/** The published keys as last fetched. */
	private record KeySet(Map<String, ECPublicKey> keys, Instant fetchedAt) {

		boolean freshAt(Instant now) {
			return now.isBefore(this.fetchedAt.plus(KEYS_MAX_AGE));
		}

	}

	/** A receipt's parts and claims, every one present and of its type, none of it trusted yet. */
	private static final class Receipt {

		final String token;

		final Map<?, ?> header;

		final byte[] signingInput;

		final byte[] signature;

		final String issuer;

		final String fingerprint;

		final Verified claims;

		private Receipt(String token, Map<?, ?> header, byte[] signingInput, byte[] signature, Map<?, ?> claims) {
			this.token = token;
			this.header = header;
			this.signingInput = signingInput;
			this.signature = signature;
			this.issuer = string(claims, "iss");
			this.fingerprint = string(claims, "fingerprint");
			String subject = string(claims, "sub");
			if (!UUID.matcher(subject).matches()) {
				throw new Refused(Refused.MALFORMED, "sub is not a UUID");
			}
			instant(claims, "iat");
			string(claims, "requestHash");
			this.claims = new Verified(subject, string(claims, "jti"), string(claims, "agent"),
					string(claims, "accountId"), string(claims, "tool"), scopeTokens(optionalString(claims, "scope")),
					strings(claims, "approvers"), string(claims, "policyRule"), optionalString(claims, "grant"),
					instant(claims, "exp"));
		}

		static Receipt parse(String token) {
			if (token == null || token.isBlank()) {
				throw new Refused(Refused.MALFORMED, "no receipt");
			}
			if (token.length() > MAX_TOKEN_LENGTH) {
				throw new Refused(Refused.MALFORMED, "receipt longer than " + MAX_TOKEN_LENGTH + " characters");
			}
			String[] parts = token.split("\\.", -1);
			// An empty signature is still a receipt's shape: "alg":"none" is then refused as foreign, not malformed.
			if (parts.length != 3 || !BASE64URL.matcher(parts[0]).matches() || !BASE64URL.matcher(parts[1]).matches()
					|| !(parts[2].isEmpty() || BASE64URL.matcher(parts[2]).matches())) {
				throw new Refused(Refused.MALFORMED, "not three base64url parts");
			}
			Map<?, ?> header = object(parts[0], "the header is");
			Map<?, ?> claims = object(parts[1], "the claims are");
			byte[] signature = decode(parts[2], "the signature is");
			byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
			return new Receipt(token, header, signingInput, signature, claims);
		}

		private static Map<?, ?> object(String part, String what) {
			try {
				if (Json.parse(utf8(decode(part, what))) instanceof Map<?, ?> object) {
					return object;
				}
			}
			catch (IllegalArgumentException ex) {
				throw new Refused(Refused.MALFORMED, what + " " + ex.getMessage(), ex);
			}
			throw new Refused(Refused.MALFORMED, what + " not a JSON object");
		}

		private static byte[] decode(String part, String what) {
			try {
				return Base64.getUrlDecoder().decode(part);
			}
			catch (IllegalArgumentException ex) {
				throw new Refused(Refused.MALFORMED, what + " not base64url", ex);
			}
		}

		private static String string(Map<?, ?> claims, String name) {
			if (claims.get(name) instanceof String value) {
				return value;
			}
			throw missing(name, "a string");
		}

		private static String optionalString(Map<?, ?> claims, String name) {
			return claims.containsKey(name) ? string(claims, name) : null;
		}

		private static List<String> strings(Map<?, ?> claims, String name) {
			if (claims.get(name) instanceof List<?> values && values.stream().allMatch(String.class::isInstance)) {
				return values.stream().map(String.class::cast).toList();
			}
			throw missing(name, "an array of strings");
		}

		/** NumericDate (RFC 7519): seconds, possibly fractional. */
		private static Instant instant(Map<?, ?> claims, String name) {
			if (claims.get(name) instanceof BigDecimal seconds) {
				try {
					BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
					int nanos = seconds.subtract(whole)
						.movePointRight(9)
						.setScale(0, RoundingMode.FLOOR)
						.intValueExact();
					return Instant.ofEpochSecond(whole.longValueExact(), nanos);
				}
				catch (ArithmeticException | DateTimeException ex) {
					throw new Refused(Refused.MALFORMED, "claim " + name + " is out of range", ex);
				}
			}
			throw missing(name, "a number");
		}

		private static Refused missing(String name, String type) {
			return new Refused(Refused.MALFORMED, "claim " + name + " is missing or not " + type);
		}

	}

	/** Collects a response body up to a limit, and fails beyond it instead of buffering whatever is sent. */
	private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {

		private final CompletableFuture<byte[]> body = new CompletableFuture<>();

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private final int maxBytes;

		private Flow.Subscription subscription;

		CappedBody(int maxBytes) {
			this.maxBytes = maxBytes;
		}

		@Override
		public CompletionStage<byte[]> getBody() {
			return this.body;
		}

		@Override
		public void onSubscribe(Flow.Subscription subscription) {
			this.subscription = subscription;
			subscription.request(Long.MAX_VALUE);
		}

		@Override
		public void onNext(List<ByteBuffer> buffers) {
			for (ByteBuffer buffer : buffers) {
				if (this.body.isDone()) {
					return;
				}
				if (this.bytes.size() + buffer.remaining() > this.maxBytes) {
					this.subscription.cancel();
					this.body.completeExceptionally(
							new IllegalStateException("response longer than " + this.maxBytes + " bytes"));
					return;
				}
				byte[] chunk = new byte[buffer.remaining()];
				buffer.get(chunk);
				this.bytes.write(chunk, 0, chunk.length);
			}
		}

		@Override
		public void onError(Throwable error) {
			this.body.completeExceptionally(error);
		}

		@Override
		public void onComplete() {
			this.body.complete(this.bytes.toByteArray());
		}

	}

	/** Configures a {@link ToolCallVerifier}. Not thread-safe; the verifier it builds is. */
	public static final class Builder {

		private final URI baseUrl;

		private String issuer = DEFAULT_ISSUER;

		private String authorization;

		private Clock clock = Clock.systemUTC();

		private Duration timeout = DEFAULT_TIMEOUT;

		private HttpClient httpClient;

		private Builder(URI baseUrl) {
			Objects.requireNonNull(baseUrl, "baseUrl");
			String scheme = baseUrl.getScheme();
			if (!baseUrl.isAbsolute() || baseUrl.isOpaque() || baseUrl.getHost() == null
					|| !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))
					|| baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
				throw new IllegalArgumentException(
						"baseUrl must be an absolute http(s) URL without query or fragment, was " + baseUrl);
			}
			this.baseUrl = baseUrl;
		}

		/**
		 * @param issuer the {@code iss} receipts must carry; {@code countersign} unless the server is configured
		 * otherwise
		 * @return this builder
		 */
		public Builder issuer(String issuer) {
			if (issuer == null || issuer.isBlank()) {
				throw new IllegalArgumentException("issuer must not be blank");
			}
			this.issuer = issuer;
			return this;
		}

		/**
		 * The tool server's own Countersign account, sent with HTTP Basic when reporting uses.
		 * @param username the account name, without ':'
		 * @param secret its secret
		 * @return this builder
		 */
		public Builder credentials(String username, String secret) {
			if (username == null || username.isBlank() || username.indexOf(':') >= 0
					|| username.chars().anyMatch(Character::isISOControl)) {
				throw new IllegalArgumentException("username must be non-blank, without ':' or control characters");
			}
			if (secret == null || secret.isEmpty()) {
				throw new IllegalArgumentException("secret must not be empty");
			}
			this.authorization = "Basic " + Base64.getEncoder()
				.encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
			return this;
		}

		/**
		 * @param clock what "now" is for expiry and for the key cache; the system UTC clock unless set
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/**
		 * @param timeout the most one request to the server may take, connecting and reading together; 5 s unless set
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			if (timeout == null || timeout.isNegative() || timeout.isZero()) {
				throw new IllegalArgumentException("timeout must be positive");
			}
			this.timeout = timeout;
			return this;
		}

		/**
		 * A client of your own, for TLS settings or a proxy. It should not follow redirects; {@link #timeout} still
		 * bounds every request.
		 * @param httpClient the client to send requests with
		 * @return this builder
		 */
		public Builder httpClient(HttpClient httpClient) {
			this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
			return this;
		}

		/** @return a verifier; it fetches keys on first use, not here */
		public ToolCallVerifier build() {
			return new ToolCallVerifier(this);
		}

	}

}
