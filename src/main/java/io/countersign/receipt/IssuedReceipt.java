package io.countersign.receipt;

import java.time.Instant;

/**
 * A signed receipt. Hand {@code token} to the connector that applies the action.
 *
 * @param id the receipt id ({@code jti})
 * @param token the compact JWS
 * @param keyId the {@code kid} of the key that signed it
 * @param issuedAt {@code iat}, to the second
 * @param expiresAt {@code exp}, to the second
 */
public record IssuedReceipt(String id, String token, String keyId, Instant issuedAt, Instant expiresAt) {

	@Override
	public String toString() {
		// The token authorises an action until spent or expired; keep it out of logs.
		return "IssuedReceipt[id=" + this.id + ", keyId=" + this.keyId + ", issuedAt=" + this.issuedAt
				+ ", expiresAt=" + this.expiresAt + "]";
	}

}
