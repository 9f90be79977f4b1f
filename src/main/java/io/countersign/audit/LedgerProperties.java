package io.countersign.audit;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code countersign.ledger.*}.
 *
 * @param keySecret derives the checkpoint signing key; empty outside prod means a per-install secret in
 * {@code keySecretFile}
 * @param keySecretFile where an install without a configured secret keeps the one it generated
 * @param checkpoints when checkpoints are signed and where they are written outside the database
 */
@ConfigurationProperties("countersign.ledger")
record LedgerProperties(@DefaultValue("") String keySecret, @DefaultValue("./data/ledger-key-secret") Path keySecretFile,
		@DefaultValue Checkpoints checkpoints) {

	static final int MIN_SECRET_LENGTH = 32;

	/** How messages name the secret: by setting and environment variable, never by value. */
	static final String SECRET_SETTING = "countersign.ledger.key-secret (COUNTERSIGN_LEDGER_KEY_SECRET)";

	LedgerProperties {
		keySecret = keySecret == null ? "" : keySecret;
		if (!keySecret.isEmpty() && keySecret.length() < MIN_SECRET_LENGTH) {
			throw new IllegalArgumentException(SECRET_SETTING + " has " + keySecret.length()
					+ " characters; it needs at least " + MIN_SECRET_LENGTH);
		}
	}

	/**
	 * @param everyEntries a checkpoint once the ledger has grown by this many entries since the last one
	 * @param maxInterval a checkpoint at least this often while the ledger grows
	 * @param checkInterval how often a node looks whether a checkpoint is due
	 * @param directory the append-only file sink: {@code checkpoints.ndjson} in it, one JSON line per checkpoint
	 */
	record Checkpoints(@DefaultValue("1000") int everyEntries, @DefaultValue("PT1M") Duration maxInterval,
			@DefaultValue("PT5S") Duration checkInterval, @DefaultValue("./data/checkpoints") Path directory) {

		Checkpoints {
			if (everyEntries < 1) {
				throw new IllegalArgumentException("countersign.ledger.checkpoints.every-entries must be at least 1");
			}
			requirePositive("max-interval", maxInterval);
			requirePositive("check-interval", checkInterval);
		}

		private static void requirePositive(String name, Duration value) {
			if (value == null || value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException(
						"countersign.ledger.checkpoints." + name + " must be a positive duration");
			}
		}

	}

	@Override
	public String toString() {
		// Records print every component; the secret must never reach a log.
		return "LedgerProperties[keySecret=" + (this.keySecret.isEmpty() ? "(empty)" : "(set)") + ", keySecretFile="
				+ this.keySecretFile + ", checkpoints=" + this.checkpoints + "]";
	}

}
