package io.countersign.audit;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One link of the chain. As exported, an entry is self-describing: {@code hash} is the SHA-256 of the canonical JSON
 * (members sorted, no whitespace) of the exported object without {@code hash}. Nulls are written, not left out,
 * because they are hashed too.
 *
 * <p>{@code seq} is the order of commit, {@code at} the moment the event was recorded: an entry of a long transaction
 * can carry an earlier {@code at} than the entry before it.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LedgerEntry(long seq,
		@JsonFormat(shape = JsonFormat.Shape.STRING, pattern = LedgerHashes.AT_PATTERN, timezone = "UTC") Instant at,
		String responseId, String type, String actor, String detail, JsonNode data, String prevHash, String hash) {

	/** What {@link #hash()} should be, from the other fields. */
	public String recomputeHash() {
		return LedgerHashes.hash(this.seq, this.at, this.responseId, this.type, this.actor, this.detail, this.data,
				this.prevHash);
	}

}
