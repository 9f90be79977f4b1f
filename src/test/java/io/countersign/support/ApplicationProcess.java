package io.countersign.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.countersign.CountersignApplication;

/**
 * The application in a JVM of its own, started from this test JVM's classpath, so that a test can kill it the way
 * an operating system or an orchestrator does ({@code kill -9}) and start it again on the same database. An in-process
 * Spring context cannot be killed like that: closing it runs shutdown hooks and flushes what a crash would lose.
 */
public final class ApplicationProcess implements AutoCloseable {

	private static final Duration STARTUP = Duration.ofMinutes(3);

	private final Process process;

	private final Path log;

	private final int port;

	private ApplicationProcess(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.port = port;
	}

	/**
	 * Starts the application with {@code workingDirectory} as its current directory (where the default H2 URL puts
	 * {@code ./data}) and waits until it answers the API.
	 * @param environment variables added to (or, with a null value, removed from) this JVM's environment
	 * @param arguments command-line arguments, e.g. {@code --spring.profiles.active=postgres}
	 */
	public static ApplicationProcess start(Path workingDirectory, Map<String, String> environment,
			List<String> arguments) throws IOException {
		int port = freePort();
		Path log = Files.createTempFile(workingDirectory, "countersign-", ".log");
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				CountersignApplication.class.getName(), "--server.port=" + port));
		command.addAll(arguments);
		ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		// The test JVM's own database settings must not leak into the child: each test says what it runs on.
		builder.environment().keySet().removeIf(name -> name.startsWith("COUNTERSIGN_DB_")
				|| name.equals("SPRING_PROFILES_ACTIVE") || name.startsWith("SPRING_DATASOURCE"));
		environment.forEach((name, value) -> {
			if (value == null) {
				builder.environment().remove(name);
			}
			else {
				builder.environment().put(name, value);
			}
		});
		ApplicationProcess application = new ApplicationProcess(builder.start(), log, port);
		application.awaitReady();
		return application;
	}

	public int port() {
		return this.port;
	}

	public ApiClient api() {
		return new ApiClient(this.port);
	}

	/** SIGKILL on Linux: no shutdown hook runs, nothing buffered in the JVM is written. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("The application did not die within 30 s");
		}
	}

	/** SIGTERM on Linux, as an orchestrator stops a container: shutdown hooks run. Returns at once. */
	public void terminate() {
		this.process.destroy();
	}

	/** True when the process has exited within {@code timeout}. */
	public boolean awaitExit(Duration timeout) throws InterruptedException {
		return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The last lines the application wrote, for assertion messages. */
	public String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex.getMessage() + ")";
		}
	}

	public String log() throws IOException {
		return Files.readString(this.log, StandardCharsets.UTF_8);
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			kill();
		}
	}

	private void awaitReady() {
		ApiClient api = api();
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("The application exited with " + this.process.exitValue() + ":\n"
						+ logTail());
			}
			try {
				if (api.get("scanner", "/api/v1/responses?size=1").status() == 200) {
					return;
				}
			}
			catch (IllegalStateException notYetListening) {
				// Connection refused until Tomcat is up.
			}
			sleep(500);
		}
		this.process.destroyForcibly();
		throw new IllegalStateException("The application did not answer within " + STARTUP + ":\n" + logTail());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The directory a test's databases and logs go to; a test deletes it when it passed, else it stays for the logs. */
	public static Path temporaryDirectory(String prefix) throws IOException {
		return Files.createTempDirectory(new File(System.getProperty("java.io.tmpdir")).toPath(), prefix);
	}

	/** Deletes what {@link #temporaryDirectory(String)} created, once no application runs on it any more. */
	public static void deleteDirectory(Path directory) throws IOException {
		try (var paths = Files.walk(directory)) {
			for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
