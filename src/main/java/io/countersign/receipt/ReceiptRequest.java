package io.countersign.receipt;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a quorum approved, to be signed into a receipt by {@link Receipts#issue(ReceiptRequest)}.
 *
 * @param subject the response id, or the agent action id
 * @param fingerprint {@code sha256:<64 hex>} of the approved action, as {@code StagedAction.fingerprint()} makes it
 * @param approvers who approved, at least one
 * @param policyRule the rule the quorum satisfied
 * @param ttl the receipt's lifetime, or {@code null} for {@code countersign.receipts.ttl}; at most
 * {@code countersign.receipts.max-ttl}
 * @param extraClaims further claims (strings, numbers, booleans, lists and maps of them); {@code null} means none.
 * Reserved claim names are refused.
 */
public record ReceiptRequest(String subject, String fingerprint, List<String> approvers, String policyRule,
		Duration ttl, Map<String, Object> extraClaims) {

	static final int MAX_SUBJECT_LENGTH = 128;

	private static final Pattern FINGERPRINT_PATTERN = Pattern.compile("sha256:[0-9a-f]{64}");

	public ReceiptRequest {
		if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH) {
			throw new IllegalArgumentException(
					"A receipt needs a subject of 1 to " + MAX_SUBJECT_LENGTH + " characters");
		}
		if (fingerprint == null || !FINGERPRINT_PATTERN.matcher(fingerprint).matches()) {
			throw new IllegalArgumentException("A receipt fingerprint is 'sha256:' and 64 lower-case hex digits");
		}
		if (approvers == null || approvers.isEmpty() || approvers.stream().anyMatch(a -> a == null || a.isBlank())) {
			throw new IllegalArgumentException("A receipt names at least one approver, none of them blank");
		}
		if (policyRule == null || policyRule.isBlank()) {
			throw new IllegalArgumentException("A receipt names the policy rule the approval satisfied");
		}
		if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
			throw new IllegalArgumentException("A receipt's ttl must be positive");
		}
		approvers = List.copyOf(approvers);
		extraClaims = copyOfExtraClaims(extraClaims);
	}

	private static Map<String, Object> copyOfExtraClaims(Map<String, Object> claims) {
		if (claims == null || claims.isEmpty()) {
			return Map.of();
		}
		for (Map.Entry<String, Object> claim : claims.entrySet()) {
			if (claim.getKey() == null || claim.getKey().isBlank()) {
				throw new IllegalArgumentException("Extra receipt claims need a name");
			}
			if (ReceiptClaims.RESERVED.contains(claim.getKey())) {
				throw new IllegalArgumentException("Extra receipt claim '" + claim.getKey() + "' is reserved");
			}
			requireJson(claim.getKey(), claim.getValue());
		}
		return Collections.unmodifiableMap(new LinkedHashMap<>(claims));
	}

	/** The signer serialises what it is given; anything but plain JSON values would sign an accident. */
	private static void requireJson(String name, Object value) {
		if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
			return;
		}
		if (value instanceof Collection<?> values) {
			values.forEach(element -> requireJson(name, element));
			return;
		}
		if (value instanceof Map<?, ?> map) {
			map.forEach((key, element) -> {
				if (!(key instanceof String)) {
					throw new IllegalArgumentException("Extra receipt claim '" + name + "' has a non-string key");
				}
				requireJson(name, element);
			});
			return;
		}
		throw new IllegalArgumentException(
				"Extra receipt claim '" + name + "' holds a " + value.getClass().getName() + ", not a JSON value");
	}

}
