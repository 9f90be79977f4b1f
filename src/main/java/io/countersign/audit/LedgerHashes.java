package io.countersign.audit;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;

/**
 * How an entry is hashed, shared by the ledger and the migration that chained the older events. Changing anything
 * here breaks every existing chain.
 */
final class LedgerHashes {

	/** The previous hash of entry 1. */
	static final String GENESIS = "sha256:" + "0".repeat(64);

	/** Always three fraction digits, so external verifiers need not know {@link Instant#toString()}'s rules. */
	static final String AT_PATTERN = "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'";

	private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern(AT_PATTERN).withZone(ZoneOffset.UTC);

	/**
	 * Data is stored as canonical JSON text and hashed as the tree parsed back from it. Decimals are read as
	 * BigDecimal: parsed as double, a long fraction would come back rounded and no longer match its own hash.
	 */
	static final ObjectMapper JSON = JsonMapper.builder()
		.findAndAddModules()
		.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private LedgerHashes() {
	}

	/** The time as stored and hashed: the database keeps microseconds at most, the hash milliseconds. */
	static Instant truncate(Instant at) {
		return at.truncatedTo(ChronoUnit.MILLIS);
	}

	static String format(Instant at) {
		return AT.format(at);
	}

	/**
	 * {@code "sha256:"} and the hex SHA-256 of the canonical JSON of all fields but the hash itself. Absent values
	 * are explicit JSON nulls, so an entry without actor hashes the same everywhere.
	 */
	static String hash(long seq, Instant at, String responseId, String type, String actor, String detail,
			JsonNode data, String prevHash) {
		ObjectNode node = JSON.createObjectNode();
		node.put("seq", seq);
		node.put("at", format(at));
		node.put("responseId", responseId);
		node.put("type", type);
		node.put("actor", actor);
		node.put("detail", detail);
		node.set("data", data == null ? NullNode.getInstance() : data);
		node.put("prevHash", prevHash);
		return StagedAction.sha256(CanonicalJson.write(node));
	}

	static JsonNode parseData(String text) {
		if (text == null) {
			return null;
		}
		try {
			return JSON.readTree(text);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Ledger data is not JSON: " + text, ex);
		}
	}

}
