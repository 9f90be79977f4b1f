package io.countersign.audit;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * A signed statement that the ledger's entry {@code seq} had hash {@code headHash} at {@code at}. Because every
 * entry holds the previous entry's hash, it vouches for entries 1 to {@code seq} unchanged. {@code jws} is the
 * compact ES256 JWS whose payload is {@code {"at","headHash","seq"}}; the other fields repeat it for reading.
 */
public record Checkpoint(long seq, String headHash,
		@JsonFormat(shape = JsonFormat.Shape.STRING, pattern = LedgerHashes.AT_PATTERN, timezone = "UTC") Instant at,
		String kid, String jws) {
}
