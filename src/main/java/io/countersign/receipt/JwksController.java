package io.countersign.receipt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.countersign.audit.CheckpointKey;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The public receipt keys, and the ledger checkpoint key, as a JWK set, for verifiers outside this service (agent tool servers). Anonymous: public
 * keys are public. Verifiers may cache it for five minutes, so one that meets an unknown {@code kid} should fetch it
 * again before refusing the receipt: a key signs as soon as it is created.
 */
@RestController
class JwksController {

	static final String PATH = "/.well-known/jwks.json";

	/** RFC 7517, section 8.5. */
	static final String JWK_SET_JSON = "application/jwk-set+json";

	static final Duration MAX_AGE = Duration.ofMinutes(5);

	private final ReceiptKeys keys;

	private final CheckpointKey checkpointKey;

	JwksController(ReceiptKeys keys, CheckpointKey checkpointKey) {
		this.keys = keys;
		this.checkpointKey = checkpointKey;
	}

	@GetMapping(path = PATH, produces = { JWK_SET_JSON, MediaType.APPLICATION_JSON_VALUE })
	ResponseEntity<Map<String, Object>> keys() {
		List<JWK> published = new ArrayList<>(this.keys.publishedKeys());
		// The ledger checkpoint key: its own kid prefix, so a receipt verifier never mistakes it for a receipt key.
		published.add(this.checkpointKey.publicJwk());
		// publicKeysOnly: the stored keys are public already; this keeps it so whatever reaches this method.
		return ResponseEntity.ok()
			.cacheControl(CacheControl.maxAge(MAX_AGE))
			.body(new JWKSet(published).toJSONObject(true));
	}

}
