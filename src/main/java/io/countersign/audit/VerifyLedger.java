package io.countersign.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.countersign.action.CanonicalJson;
import io.countersign.action.StagedAction;

/**
 * The offline ledger verifier: proves, without the service or its database, that an exported ledger holds every
 * checkpointed entry unchanged.
 *
 * <pre>
 * java -cp countersign.jar -Dloader.main=io.countersign.audit.VerifyLedger \
 *     org.springframework.boot.loader.launch.PropertiesLauncher \
 *     --export ledger.ndjson --checkpoint checkpoints.ndjson --jwks jwks.json
 * </pre>
 *
 * {@code --export} is the NDJSON of {@code GET /api/v1/audit?after=0} (all pages, concatenated); {@code --checkpoint}
 * is a file of checkpoints, one per line, either the lines of the file sink or bare compact JWS; {@code --jwks} is
 * {@code /.well-known/jwks.json} as fetched and kept when the checkpoints were taken. Exit code 0 when every entry
 * links to the one before it and every checkpoint's signature verifies and its entry has the signed hash; 1 when
 * the ledger was tampered with (the first finding is printed); 2 for unusable input.
 */
public final class VerifyLedger {

	static final int OK = 0;

	static final int TAMPERED = 1;

	static final int UNUSABLE = 2;

	private VerifyLedger() {
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out));
	}

	static int run(String[] args, PrintStream out) {
		Map<String, Path> files = new HashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			files.put(args[i], Path.of(args[i + 1]));
		}
		if (args.length % 2 != 0 || !files.keySet().equals(Set.of("--export", "--checkpoint", "--jwks"))) {
			out.println("usage: VerifyLedger --export FILE --checkpoint FILE --jwks FILE");
			return UNUSABLE;
		}
		try {
			return verify(files.get("--export"), files.get("--checkpoint"), files.get("--jwks"), out);
		}
		catch (IOException | ParseException | JOSEException | IllegalArgumentException ex) {
			out.println("UNUSABLE: " + ex.getMessage());
			return UNUSABLE;
		}
	}

	private static int verify(Path export, Path checkpointFile, Path jwksFile, PrintStream out)
			throws IOException, ParseException, JOSEException {
		List<String> hashes = new ArrayList<>();
		String previous = LedgerHashes.GENESIS;
		for (String line : Files.readAllLines(export, StandardCharsets.UTF_8)) {
			if (line.isBlank()) {
				continue;
			}
			JsonNode entry = LedgerHashes.JSON.readTree(line);
			long seq = entry.path("seq").asLong();
			long expected = hashes.size() + 1;
			if (seq != expected) {
				return tampered(out, "entry " + expected + " is missing from the export; the next one is " + seq);
			}
			if (!previous.equals(entry.path("prevHash").asText())) {
				return tampered(out, "entry " + seq + " does not link to the hash of entry " + (seq - 1));
			}
			ObjectNode withoutHash = entry.deepCopy();
			withoutHash.remove("hash");
			String hash = StagedAction.sha256(CanonicalJson.write(withoutHash));
			if (!hash.equals(entry.path("hash").asText())) {
				return tampered(out, "entry " + seq + " was edited: its fields hash to " + hash);
			}
			hashes.add(hash);
			previous = hash;
		}
		JWKSet jwks = JWKSet.load(jwksFile.toFile());
		int checked = 0;
		for (String line : Files.readAllLines(checkpointFile, StandardCharsets.UTF_8)) {
			if (line.isBlank()) {
				continue;
			}
			String compact = line.strip().startsWith("{") ? LedgerHashes.JSON.readTree(line).path("jws").asText()
					: line.strip();
			JWSObject jws = JWSObject.parse(compact);
			JWK key = jwks.getKeyByKeyId(jws.getHeader().getKeyID());
			if (!(key instanceof ECKey ecKey) || !Checkpoints.TYPE.equals(jws.getHeader().getType())) {
				return tampered(out, "a checkpoint is signed by key " + jws.getHeader().getKeyID()
						+ ", which the JWK set does not hold as a checkpoint key");
			}
			if (!jws.verify(new ECDSAVerifier(ecKey.toECPublicKey()))) {
				return tampered(out, "a checkpoint's signature does not verify: it was forged or edited");
			}
			JsonNode claims = LedgerHashes.JSON.readTree(jws.getPayload().toString());
			long seq = claims.path("seq").asLong();
			String headHash = claims.path("headHash").asText();
			if (seq < 1 || seq > hashes.size()) {
				return tampered(out, "checkpoint of " + claims.path("at").asText() + " vouches for entry " + seq
						+ " but the export ends at " + hashes.size() + ": entries were removed from the end");
			}
			if (!headHash.equals(hashes.get((int) seq - 1))) {
				return tampered(out, "checkpoint of " + claims.path("at").asText() + " vouches for entry " + seq
						+ " with hash " + headHash + " but the export has " + hashes.get((int) seq - 1)
						+ ": entries up to " + seq + " were rewritten");
			}
			checked++;
		}
		if (checked == 0) {
			out.println("UNUSABLE: the checkpoint file holds no checkpoint");
			return UNUSABLE;
		}
		out.println("OK: " + hashes.size() + " entries chained; " + checked + " checkpoint(s) verified");
		return OK;
	}

	private static int tampered(PrintStream out, String finding) {
		out.println("TAMPERED: " + finding);
		return TAMPERED;
	}

}
