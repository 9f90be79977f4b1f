package io.countersign.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real Keycloak for the tests: the {@code org.keycloak:keycloak-quarkus-dist} distribution, which Maven fetches from
 * Maven Central and unpacks into {@code target/keycloak-<version>} before the integration tests run (see the
 * {@code unpack-keycloak} execution in {@code pom.xml}), started as {@code bin/kc.sh start-dev} on a free port of
 * 127.0.0.1 and shared by every test of the JVM.
 *
 * <p>{@link #shared()} starts it on first use, waits until the master realm's OpenID configuration answers, prints how
 * long that took, and registers a shutdown hook that stops it when the JVM ends. Failsafe gives each test class a JVM
 * of its own here, so a run pays the start once per test class that uses Keycloak: keep Keycloak tests in few classes.
 *
 * <p>The server is throwaway: an in-memory H2 database ({@code --db=dev-mem}), so nothing survives it and nothing from
 * an earlier run is there; tests create their own realms through the admin API and delete them. Preview feature
 * {@code client-secret-rotation} is enabled so that rotation policies can be tested.
 *
 * <p>When the server cannot start, {@link #shared()} throws with the reason and the end of Keycloak's log, and keeps
 * throwing the same for the rest of the JVM instead of waiting again. The one case that skips instead is a local run
 * (not {@code CI=true}) from a build that did not unpack the distribution, e.g. an IDE running one test without Maven's
 * {@code pre-integration-test} phase.
 *
 * <p>Settings, all optional: system property {@value #HOME_PROPERTY} (the unpacked distribution; failsafe sets it),
 * environment variable {@value #JAVA_HOME_ENV} (the JDK that runs Keycloak; by default the one running the tests,
 * which is JDK 17 here and enough for Keycloak 26.5), system property {@value #START_TIMEOUT_PROPERTY} (ISO-8601,
 * default 3 minutes: two busy cores can take a while).
 */
public final class KeycloakServer {

	/** Test-only demo value: the bootstrap administrator of the throwaway test server's master realm. */
	public static final String ADMIN_USERNAME = "countersign-test-admin";

	/** Test-only demo value, not a secret: the password of {@link #ADMIN_USERNAME} on the throwaway test server. */
	public static final String ADMIN_PASSWORD = "countersign-test-admin-demo-only";

	static final String HOME_PROPERTY = "countersign.keycloak.home";

	static final String JAVA_HOME_ENV = "COUNTERSIGN_TEST_KEYCLOAK_JAVA_HOME";

	static final String START_TIMEOUT_PROPERTY = "countersign.keycloak.start-timeout";

	private static final Path BUILD_DIRECTORY = Paths.get("target");

	private static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	private static final int LOG_TAIL_LINES = 40;

	/** A port taken between our probe and Keycloak's bind is worth one more try; anything else is not. */
	private static final int START_ATTEMPTS = 2;

	private static KeycloakServer shared;

	private static String failure;

	private final String url;

	private final String version;

	private final Duration startTime;

	private final Path log;

	private KeycloakServer(String url, String version, Duration startTime, Path log) {
		this.url = url;
		this.version = version;
		this.startTime = startTime;
		this.log = log;
	}

	/**
	 * The JVM's Keycloak, started on first call. Throws (or, locally without the unpacked distribution, skips the
	 * calling test) when it cannot be had.
	 */
	public static synchronized KeycloakServer shared() {
		if (shared != null) {
			return shared;
		}
		if (failure != null) {
			throw new IllegalStateException(failure);
		}
		Path home = home();
		if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
			String missing = "No Keycloak distribution at " + home + ": the build unpacks "
					+ "org.keycloak:keycloak-quarkus-dist there in the pre-integration-test phase; run the test "
					+ "through ./mvnw verify (or set -D" + HOME_PROPERTY + ")";
			if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
				Assumptions.abort(missing);
			}
			failure = missing;
			throw new IllegalStateException(missing);
		}
		try {
			shared = start(home);
			return shared;
		}
		catch (RuntimeException ex) {
			failure = ex.getMessage();
			throw ex;
		}
	}

	/** The server's base URL, e.g. {@code http://127.0.0.1:41234} (no {@code /admin}, no {@code /realms}). */
	public String url() {
		return this.url;
	}

	/** Keycloak's version, from the distribution's {@code version.txt}. */
	public String version() {
		return this.version;
	}

	/** From starting {@code kc.sh} until the master realm answered. */
	public Duration startTime() {
		return this.startTime;
	}

	/** Where Keycloak's console output goes. */
	public Path log() {
		return this.log;
	}

	/** Failsafe names it; run otherwise (an IDE), the newest {@code target/keycloak-<version>} an earlier build left. */
	private static Path home() {
		String configured = System.getProperty(HOME_PROPERTY);
		if (configured != null && !configured.isBlank()) {
			return Paths.get(configured).toAbsolutePath();
		}
		try (var candidates = Files.list(BUILD_DIRECTORY)) {
			return candidates
				.filter(dir -> dir.getFileName().toString().startsWith("keycloak-")
						&& Files.isRegularFile(dir.resolve("bin/kc.sh")))
				.max(Comparator.comparing(KeycloakServer::version, KeycloakServer::compareVersions))
				.orElse(BUILD_DIRECTORY.resolve("keycloak-<version>"))
				.toAbsolutePath();
		}
		catch (IOException ex) {
			return BUILD_DIRECTORY.resolve("keycloak-<version>").toAbsolutePath();
		}
	}

	private static KeycloakServer start(Path home) {
		String version = version(home);
		Path javaHome = javaHome();
		Duration timeout = Duration.parse(System.getProperty(START_TIMEOUT_PROPERTY, DEFAULT_START_TIMEOUT.toString()));
		IllegalStateException last = null;
		for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
			int port = freePort();
			Path log = home.resolveSibling("keycloak-server-" + port + ".log");
			long started = System.nanoTime();
			Process process = launch(home, javaHome, port, log);
			Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "keycloak-stop-" + port));
			String url = "http://127.0.0.1:" + port;
			String problem = awaitReady(process, url, timeout);
			if (problem == null) {
				Duration took = Duration.ofNanos(System.nanoTime() - started);
				// Printed, not logged: the start time is a figure the build's console should show whatever the logging.
				System.out.printf(Locale.ROOT, "Keycloak %s ready at %s after %.1f s (JDK %s at %s; log %s)%n", version,
						url, took.toMillis() / 1000.0, javaVersion(javaHome), javaHome, log);
				return new KeycloakServer(url, version, took, log);
			}
			stop(process);
			String tail = tail(log);
			last = new IllegalStateException("Keycloak " + version + " from " + home + " did not start on port " + port
					+ " with JDK " + javaHome + ": " + problem + ". End of its log (" + log + "):\n" + tail);
			if (!tail.contains("already in use") && !tail.contains("already bound")) {
				break;
			}
		}
		throw last;
	}

	private static Process launch(Path home, Path javaHome, int port, Path log) {
		// "sh kc.sh" rather than executing kc.sh: it works even where unpacking dropped the executable bit.
		List<String> command = new ArrayList<>(List.of("sh", home.resolve("bin/kc.sh").toString(), "start-dev",
				"--http-port=" + port, "--http-host=127.0.0.1", "--db=dev-mem",
				"--features=client-secret-rotation"));
		ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		Map<String, String> environment = builder.environment();
		// Keycloak reads any KC_* variable as configuration, and kc.sh takes JAVA_OPTS over its own defaults: a
		// developer's shell must not change the test server.
		environment.keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("JAVA_OPTS"));
		environment.put("JAVA_HOME", javaHome.toString());
		environment.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
		environment.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
		try {
			return builder.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + command + ": " + ex.getMessage(), ex);
		}
	}

	/** Null when ready, else why not. */
	private static String awaitReady(Process process, String url, Duration timeout) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest probe = HttpRequest
			.newBuilder(URI.create(url + "/realms/master/.well-known/openid-configuration"))
			.timeout(Duration.ofSeconds(5))
			.build();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				return "kc.sh exited with status " + process.exitValue();
			}
			try {
				if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return null;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return "interrupted while waiting";
			}
			try {
				Thread.sleep(500);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return "interrupted while waiting";
			}
		}
		return "the master realm did not answer within " + timeout + " (set -D" + START_TIMEOUT_PROPERTY
				+ " for a slower machine)";
	}

	private static void stop(Process process) {
		if (!process.isAlive()) {
			return;
		}
		// kc.sh forwards SIGTERM to its Java child, but after a rebuild of its configuration it execs Java instead;
		// terminating the whole tree covers both.
		List<ProcessHandle> tree = process.descendants().toList();
		process.destroy();
		tree.forEach(ProcessHandle::destroy);
		try {
			if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
		}
		tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
	}

	private static Path javaHome() {
		String configured = System.getenv(JAVA_HOME_ENV);
		Path javaHome = Paths.get((configured != null && !configured.isBlank()) ? configured
				: System.getProperty("java.home"));
		if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
			throw new IllegalStateException("No bin/java under " + javaHome + " to run Keycloak with"
					+ ((configured != null) ? " (from " + JAVA_HOME_ENV + ")" : ""));
		}
		return javaHome;
	}

	private static String javaVersion(Path javaHome) {
		Path release = javaHome.resolve("release");
		try {
			for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
				if (line.startsWith("JAVA_VERSION=")) {
					return line.substring("JAVA_VERSION=".length()).replace("\"", "");
				}
			}
		}
		catch (IOException ex) {
			// Fall through: the version is only printed.
		}
		return javaHome.equals(Paths.get(System.getProperty("java.home"))) ? System.getProperty("java.version") : "?";
	}

	private static String version(Path home) {
		try {
			String text = Files.readString(home.resolve("version.txt"), StandardCharsets.UTF_8).strip();
			int at = text.lastIndexOf(' ');
			return (at >= 0) ? text.substring(at + 1) : text;
		}
		catch (IOException ex) {
			return "(unknown version)";
		}
	}

	/** Numerically by dotted part, so that 26.10.0 comes after 26.9.0. */
	private static int compareVersions(String left, String right) {
		String[] a = left.split("\\.");
		String[] b = right.split("\\.");
		for (int i = 0; i < Math.min(a.length, b.length); i++) {
			int order = (a[i].matches("\\d+") && b[i].matches("\\d+"))
					? Integer.compare(Integer.parseInt(a[i]), Integer.parseInt(b[i])) : a[i].compareTo(b[i]);
			if (order != 0) {
				return order;
			}
		}
		return Integer.compare(a.length, b.length);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port on the loopback interface", ex);
		}
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

}
