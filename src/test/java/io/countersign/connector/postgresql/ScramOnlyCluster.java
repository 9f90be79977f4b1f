package io.countersign.connector.postgresql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster under {@code target/} whose only {@code pg_hba.conf} line is
 * {@code host all all 127.0.0.1/32 scram-sha-256}, so a login there really checks the password. It logs every
 * statement ({@code log_statement = all}) to a file a test can read. initdb and start take about a second.
 *
 * <p>
 * It uses the newest installed server binaries under {@code /usr/lib/postgresql/<version>/bin}, or those in
 * {@code COUNTERSIGN_TEST_PG_BIN}. initdb refuses to run as root, so as root it runs them as the {@code postgres}
 * OS user (via {@code runuser}), which the server package creates. Without binaries (or, as root, without that
 * user) the test class is skipped; once they are there, a cluster that does not start fails the tests.
 *
 * <p>
 * No Unix socket: the cluster listens on a free TCP port of 127.0.0.1 only, and a path under {@code target/} could
 * exceed the socket path limit anyway.
 */
final class ScramOnlyCluster implements BeforeAllCallback, AutoCloseable {

	static final String BIN_ENV = "COUNTERSIGN_TEST_PG_BIN";

	private static final Path INSTALLED = Path.of("/usr/lib/postgresql");

	private static final String SUPERUSER = "postgres";

	private static final Logger log = LoggerFactory.getLogger(ScramOnlyCluster.class);

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(ScramOnlyCluster.class);

	private Path bin;

	private List<String> runAs;

	private Path directory;

	private Path serverLog;

	private int port;

	private String password;

	private Thread shutdownHook;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		// Registered first, so a cluster that starts but then fails a later step is still stopped and removed.
		context.getStore(NAMESPACE).put(this, (ExtensionContext.Store.CloseableResource) this::close);
		start();
	}

	synchronized void start() throws IOException, InterruptedException {
		if (this.directory != null) {
			return;
		}
		this.bin = findBinaries().orElse(null);
		Assumptions.assumeTrue(this.bin != null,
				() -> skip("no initdb/pg_ctl under " + INSTALLED + "/<version>/bin; set " + BIN_ENV));
		boolean root = "root".equals(System.getProperty("user.name"));
		if (root) {
			Assumptions.assumeTrue(run(List.of("id", "-u", SUPERUSER), null) == 0,
					() -> skip("running as root and there is no '" + SUPERUSER + "' OS user for initdb"));
			this.runAs = List.of("runuser", "-u", SUPERUSER, "--");
		}
		else {
			this.runAs = List.of();
		}
		this.directory = Files.createDirectories(Path.of("target").toAbsolutePath())
			.resolve("pg-scram-" + HexFormat.of().formatHex(random(6)));
		Files.createDirectory(this.directory,
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		this.password = HexFormat.of().formatHex(random(16));
		Path passwordFile = this.directory.resolve("superuser-password");
		Files.writeString(passwordFile, this.password + "\n");
		Path data = this.directory.resolve("data");
		this.serverLog = this.directory.resolve("server.log");
		if (root) {
			UserPrincipal owner = this.directory.getFileSystem()
				.getUserPrincipalLookupService()
				.lookupPrincipalByName(SUPERUSER);
			Files.setOwner(this.directory, owner);
			Files.setOwner(passwordFile, owner);
		}
		long started = System.nanoTime();
		this.shutdownHook = new Thread(this::stopQuietly, "scram-cluster-stop");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);

		require("initdb", List.of(this.bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
				"--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"));
		Files.delete(passwordFile);
		this.port = freePort();
		String settings = String.join("\n", "", "port = " + this.port, "listen_addresses = '127.0.0.1'",
				"unix_socket_directories = ''", "password_encryption = 'scram-sha-256'", "log_statement = 'all'",
				"fsync = off", "");
		Files.writeString(data.resolve("postgresql.conf"), settings, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
		Files.writeString(data.resolve("pg_hba.conf"), "host all all 127.0.0.1/32 scram-sha-256\n",
				StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
		require("pg_ctl start", List.of(this.bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
				this.serverLog.toString(), "-w", "-t", "30", "start"));
		log.info("Throwaway scram-sha-256 cluster on 127.0.0.1:{} ready in {} ms ({})", this.port,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), this.bin);
	}

	/** The cluster's superuser over TCP with its password, the only way in. */
	PostgresTarget target() {
		return new PostgresTarget("jdbc:postgresql://127.0.0.1:" + this.port + "/postgres", SUPERUSER, this.password);
	}

	/** Everything the server logged so far, every statement included. */
	String serverLog() throws IOException {
		return Files.readString(this.serverLog, StandardCharsets.UTF_8);
	}

	@Override
	public synchronized void close() throws IOException, InterruptedException {
		if (this.directory == null) {
			return;
		}
		stop();
		Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		try (Stream<Path> files = Files.walk(this.directory)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		this.directory = null;
	}

	private void stop() throws IOException, InterruptedException {
		Path data = this.directory.resolve("data");
		if (Files.exists(data.resolve("postmaster.pid"))) {
			run(command(List.of(this.bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w",
					"stop")), this.directory.resolve("pg_ctl-stop.log"));
		}
	}

	private void stopQuietly() {
		try {
			stop();
		}
		catch (IOException | InterruptedException ex) {
			log.warn("Could not stop the throwaway cluster in {}", this.directory, ex);
		}
	}

	private void require(String what, List<String> command) throws IOException, InterruptedException {
		Path output = this.directory.resolve(what.replace(' ', '-') + ".log");
		if (run(command(command), output) != 0) {
			String tail = Files.exists(output) ? Files.readString(output) : "";
			String serverTail = Files.exists(this.serverLog) ? Files.readString(this.serverLog) : "";
			throw new IllegalStateException(what + " failed for the throwaway cluster in " + this.directory + ":\n"
					+ tail + "\n" + serverTail);
		}
	}

	private List<String> command(List<String> command) {
		List<String> full = new ArrayList<>(this.runAs);
		full.addAll(command);
		return full;
	}

	private static int run(List<String> command, Path output) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		if (output != null) {
			builder.redirectOutput(output.toFile());
		}
		else {
			builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		}
		Process process = builder.start();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
		}
		return process.exitValue();
	}

	private static Optional<Path> findBinaries() throws IOException {
		String configured = System.getenv(BIN_ENV);
		if (configured != null && !configured.isBlank()) {
			return Optional.of(Path.of(configured.trim())).filter(ScramOnlyCluster::hasBinaries);
		}
		if (!Files.isDirectory(INSTALLED)) {
			return Optional.empty();
		}
		try (Stream<Path> versions = Files.list(INSTALLED)) {
			return versions.filter((version) -> version.getFileName().toString().matches("\\d+"))
				.max(Comparator.comparingInt((version) -> Integer.parseInt(version.getFileName().toString())))
				.map((version) -> version.resolve("bin"))
				.filter(ScramOnlyCluster::hasBinaries);
		}
	}

	private static boolean hasBinaries(Path bin) {
		return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] random(int bytes) {
		byte[] value = new byte[bytes];
		new SecureRandom().nextBytes(value);
		return value;
	}

	private static String skip(String reason) {
		String message = "Skipping the scram-sha-256 login tests: " + reason;
		// A class skipped in beforeAll shows up in Maven's summary as zero tests, not as skipped: say why here.
		log.warn(message);
		return message;
	}

}
