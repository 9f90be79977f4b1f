package io.countersign.receipt;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code countersign.receipts.*}. Durations are ISO-8601 ({@code PT15M}, {@code P30D}).
 *
 * @param issuer the {@code iss} of every receipt; verifiers accept no other
 * @param ttl lifetime of a receipt whose request names none
 * @param maxTtl the longest lifetime a request may ask for; also how long a retired key stays published, so
 * that every receipt it signed can still be verified
 * @param rotationPeriod age at which the active signing key is replaced
 * @param rotationCheckInterval how often a node looks for a due rotation besides on issue
 * @param keyEncryptionSecret encrypts the private signing keys in the database; empty stores them in the clear
 */
@ConfigurationProperties("countersign.receipts")
record ReceiptProperties(@DefaultValue("countersign") String issuer, @DefaultValue("PT15M") Duration ttl,
		@DefaultValue("P1D") Duration maxTtl, @DefaultValue("P30D") Duration rotationPeriod,
		@DefaultValue("PT1H") Duration rotationCheckInterval, @DefaultValue("") String keyEncryptionSecret) {

	static final int MIN_SECRET_LENGTH = 32;

	/** How error messages name the secret: by setting and by environment variable, never by value. */
	static final String SECRET_SETTING = "countersign.receipts.key-encryption-secret (COUNTERSIGN_RECEIPT_KEY_SECRET)";

	ReceiptProperties {
		if (issuer == null || issuer.isBlank()) {
			throw new IllegalArgumentException("countersign.receipts.issuer must not be blank");
		}
		requirePositive("ttl", ttl);
		requirePositive("max-ttl", maxTtl);
		requirePositive("rotation-period", rotationPeriod);
		requirePositive("rotation-check-interval", rotationCheckInterval);
		if (ttl.compareTo(maxTtl) > 0) {
			throw new IllegalArgumentException(
					"countersign.receipts.ttl (" + ttl + ") exceeds max-ttl (" + maxTtl + ")");
		}
		keyEncryptionSecret = (keyEncryptionSecret == null) ? "" : keyEncryptionSecret;
		if (!keyEncryptionSecret.isEmpty() && keyEncryptionSecret.length() < MIN_SECRET_LENGTH) {
			throw new IllegalArgumentException(SECRET_SETTING + " has " + keyEncryptionSecret.length()
					+ " characters; it needs at least " + MIN_SECRET_LENGTH);
		}
	}

	boolean encryptsKeys() {
		return !this.keyEncryptionSecret.isEmpty();
	}

	@Override
	public String toString() {
		// Records print every component; the secret must never reach a log or an error page.
		return "ReceiptProperties[issuer=" + this.issuer + ", ttl=" + this.ttl + ", maxTtl=" + this.maxTtl
				+ ", rotationPeriod=" + this.rotationPeriod + ", rotationCheckInterval=" + this.rotationCheckInterval
				+ ", keyEncryptionSecret=" + (encryptsKeys() ? "(set)" : "(empty)") + "]";
	}

	private static void requirePositive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("countersign.receipts." + name + " must be a positive duration");
		}
	}

}
