package io.countersign.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The default sink: one file per credential, {@code <directory>/<target>/<credential-id>}, readable by its owner
 * only, replaced atomically (written to a temporary file, fsync'd, renamed), the way a mounted Kubernetes secret is
 * consumed. Point the directory at a volume the consumers mount, not at the database's.
 */
@Component
@ConditionalOnProperty(name = "countersign.secrets.sink", havingValue = "file", matchIfMissing = true)
class FileSecretSink implements SecretSink {

	private static final Logger log = LoggerFactory.getLogger(FileSecretSink.class);

	/** Target names and credential ids become path segments: no separators, no dot-segments. */
	private static final Pattern SEGMENT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$");

	private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

	private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");

	private final Path directory;

	FileSecretSink(@Value("${countersign.secrets.file.directory:./data/secrets}") Path directory) {
		this.directory = directory.toAbsolutePath().normalize();
	}

	@Override
	public void deliver(String target, String credentialId, SecretMaterial material) {
		Path file = file(target, credentialId);
		try {
			createPrivateDirectories(file.getParent());
			Path temporary = Files.createTempFile(file.getParent(), "." + credentialId, ".tmp");
			try {
				if (posix()) {
					Files.setPosixFilePermissions(temporary, OWNER_FILE);
				}
				try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
						StandardOpenOption.TRUNCATE_EXISTING)) {
					channel.write(java.nio.ByteBuffer.wrap(material.bytes()));
					channel.force(true);
				}
				try {
					Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				}
				catch (AtomicMoveNotSupportedException ex) {
					Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
				}
			}
			finally {
				Files.deleteIfExists(temporary);
			}
		}
		catch (IOException ex) {
			// The path names the credential, never the material.
			throw new SecretDeliveryException("cannot write the new secret of " + credentialId + " to " + file
					+ ": " + ex.getClass().getSimpleName(), null);
		}
		log.info("Delivered the new secret of {} on target {} to {}", credentialId, target, file);
	}

	/** Reads the file back only to hash it; the material is wiped from memory at once. */
	@Override
	public Optional<String> deliveredFingerprint(String target, String credentialId) {
		Path file = file(target, credentialId);
		byte[] bytes;
		try {
			bytes = Files.readAllBytes(file);
		}
		catch (IOException ex) {
			throw new SecretDeliveryException("cannot read back the secret of " + credentialId + " at " + file + ": "
					+ ex.getClass().getSimpleName(), null);
		}
		try {
			SecretMaterial material = SecretMaterial.of(new String(bytes, StandardCharsets.UTF_8));
			String fingerprint = material.fingerprint();
			material.destroy();
			return Optional.of(fingerprint);
		}
		catch (IllegalArgumentException ex) {
			throw new SecretDeliveryException("the secret file of " + credentialId + " at " + file + " is empty", null);
		}
		finally {
			Arrays.fill(bytes, (byte) 0);
		}
	}

	Path file(String target, String credentialId) {
		if (!SEGMENT.matcher(target).matches() || !SEGMENT.matcher(credentialId).matches()
				|| credentialId.equals("..") || credentialId.equals(".")) {
			throw new SecretDeliveryException("target '" + target + "' or credential '" + credentialId
					+ "' cannot name a file", null);
		}
		return this.directory.resolve(target).resolve(credentialId);
	}

	private void createPrivateDirectories(Path path) throws IOException {
		if (Files.isDirectory(path)) {
			return;
		}
		createPrivateDirectories(path.getParent());
		if (posix()) {
			Files.createDirectories(path, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
		}
		else {
			Files.createDirectories(path);
		}
	}

	private static boolean posix() {
		return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
	}

}
