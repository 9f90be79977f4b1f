package io.countersign.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where the checkpoint key comes from. With {@code countersign.ledger.key-secret} set (required in prod by
 * {@code ProdStartupGuard}) every node derives the same key from it. Without, as in the embedded default, the node
 * generates a random secret once into {@code key-secret-file} (owner-only permissions where the file system has
 * them) and warns: the key then lives on this machine's disk, outside the database, and nodes that do not share the
 * file sign with different keys.
 */
@Configuration(proxyBeanMethods = false)
class CheckpointKeyConfiguration {

	private static final Logger log = LoggerFactory.getLogger(CheckpointKeyConfiguration.class);

	private static final int GENERATED_BYTES = 32;

	@Bean
	CheckpointKey checkpointKey(LedgerProperties properties) {
		String secret = properties.keySecret();
		if (secret.isEmpty()) {
			secret = perInstallSecret(properties.keySecretFile());
			log.warn("{} is not set: the ledger checkpoint key is derived from the per-install secret in {}. The "
					+ "prod profile refuses to start like this.", LedgerProperties.SECRET_SETTING,
					properties.keySecretFile().toAbsolutePath());
		}
		CheckpointKey key = CheckpointKey.of(secret);
		log.info("Ledger checkpoints are signed with key {}", key.kid());
		return key;
	}

	static String perInstallSecret(Path file) {
		try {
			if (!Files.exists(file)) {
				generate(file);
			}
			String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
			if (secret.length() < LedgerProperties.MIN_SECRET_LENGTH) {
				throw new IllegalStateException("The ledger key secret file " + file.toAbsolutePath() + " holds "
						+ secret.length() + " characters; it needs at least " + LedgerProperties.MIN_SECRET_LENGTH);
			}
			return secret;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read or create the ledger key secret file " + file.toAbsolutePath()
					+ "; set " + LedgerProperties.SECRET_SETTING + " instead", ex);
		}
	}

	private static void generate(Path file) throws IOException {
		byte[] random = new byte[GENERATED_BYTES];
		new SecureRandom().nextBytes(random);
		String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
		Path parent = file.toAbsolutePath().getParent();
		if (parent != null) {
			Files.createDirectories(parent);
		}
		// Written whole under a temporary name (createTempFile: owner-only on POSIX), then linked into place: a node
		// starting at the same moment sees no file or the whole secret, never an empty one, and whichever link came
		// first is the secret of both.
		Path written = Files.createTempFile(parent, ".ledger-key-secret-", ".tmp");
		try {
			Files.writeString(written, secret, StandardCharsets.UTF_8);
			try {
				Files.createLink(file, written);
			}
			catch (UnsupportedOperationException ex) {
				// No hard links here; a plain move still refuses to replace a secret that is already there.
				Files.move(written, file);
			}
		}
		catch (FileAlreadyExistsException ex) {
			// Another node (or test JVM) was first; its secret is the one to use.
		}
		finally {
			Files.deleteIfExists(written);
		}
	}

}
