package io.countersign.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.api.ApiException;
import io.countersign.api.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The ledger for auditors, as JSON lines: one entry per line, each verifiable on its own (see {@link LedgerEntry}),
 * and the whole chain by following {@code prevHash}. Who may call what is decided in {@code SecurityConfiguration}:
 * one response's entries are readable like the response itself, the whole ledger only by admins and auditors.
 */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

	static final String NDJSON = "application/x-ndjson";

	static final int DEFAULT_LIMIT = 500;

	static final int MAX_LIMIT = 5000;

	static final int DEFAULT_CHECKPOINT_LIMIT = 100;

	static final int MAX_CHECKPOINT_LIMIT = 1000;

	/** A compact ES256 JWS of our payload is about 400 characters; anything far longer is not one. */
	static final int MAX_CHECKPOINT_LENGTH = 2000;

	private final Ledger ledger;

	private final LedgerVerifier verifier;

	private final Checkpoints checkpoints;

	private final ObjectMapper objectMapper;

	AuditController(Ledger ledger, LedgerVerifier verifier, Checkpoints checkpoints, ObjectMapper objectMapper) {
		this.ledger = ledger;
		this.verifier = verifier;
		this.checkpoints = checkpoints;
		this.objectMapper = objectMapper;
	}

	/**
	 * {@code ?response=id}: that response's entries. Otherwise every entry with a seq after {@code after}, at most
	 * {@code limit}, with a {@code Link rel="next"} while more remain.
	 */
	@Operation(operationId = "exportAudit", summary = "Export ledger entries as JSON lines: one response's, or all "
			+ "by seq")
	@ApiResponse(responseCode = "200", description = "One ledger entry per line",
			content = @Content(mediaType = NDJSON, schema = @Schema(implementation = LedgerEntry.class)),
			headers = @Header(name = "Link", description = "rel=\"next\": the next page, while more remain",
					schema = @Schema(type = "string")))
	@ApiResponse(responseCode = "404", description = "The response has no ledger entries")
	@GetMapping
	void export(@RequestParam(required = false) String response, @RequestParam(required = false) Long after,
			@RequestParam(required = false) Integer limit, HttpServletResponse http) throws IOException {
		if (response != null) {
			// The security rule for ?response= is the weaker one; it must not page through everything.
			if (after != null || limit != null) {
				throw new ApiException(HttpStatus.BAD_REQUEST,
						"response cannot be combined with after or limit: a response's entries come in one piece",
						"response");
			}
			if (response.isBlank() || response.length() > Ledger.MAX_RESPONSE_ID_LENGTH) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "response must be a response id", "response");
			}
			List<LedgerEntry> entries = this.ledger.forResponse(response);
			if (entries.isEmpty()) {
				throw new NotFoundException("response '" + response + "' has no ledger entries");
			}
			write(http, entries);
			return;
		}
		long from = after == null ? 0 : after;
		int size = limit == null ? DEFAULT_LIMIT : limit;
		if (from < 0) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "after must be 0 or a seq", "after");
		}
		if (size < 1 || size > MAX_LIMIT) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT, "limit");
		}
		List<LedgerEntry> entries = this.ledger.page(from, size + 1);
		if (entries.size() > size) {
			entries = entries.subList(0, size);
			long last = entries.get(size - 1).seq();
			http.setHeader(HttpHeaders.LINK, "</api/v1/audit?after=" + last + "&limit=" + size + ">; rel=\"next\"");
		}
		write(http, entries);
	}

	/**
	 * The chain, the newest stored checkpoints and the approval tables; with {@code ?checkpoint=<JWS>} also a
	 * checkpoint the caller kept outside the database, the only proof that survives someone with SQL.
	 */
	@Operation(operationId = "verifyAudit", summary = "Verify the ledger's chain, checkpoints and approval tables")
	@ApiResponse(responseCode = "200", description = "The verification; ok=false names what is broken")
	@GetMapping("/verify")
	LedgerVerification verify(@RequestParam(required = false) String checkpoint) {
		Checkpoint external = null;
		if (checkpoint != null) {
			if (checkpoint.isBlank() || checkpoint.length() > MAX_CHECKPOINT_LENGTH) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "checkpoint must be a signed checkpoint (compact JWS)",
						"checkpoint");
			}
			try {
				external = this.checkpoints.parse(checkpoint);
			}
			catch (Checkpoints.InvalidCheckpointException ex) {
				throw new ApiException(HttpStatus.BAD_REQUEST, ex.getMessage(), "checkpoint");
			}
		}
		return this.verifier.verify(external);
	}

	/** Signed checkpoints with a seq after {@code after}, oldest first, with a {@code Link rel="next"} while more remain. */
	@Operation(operationId = "listCheckpoints", summary = "List the ledger's signed checkpoints, oldest first")
	@ApiResponse(responseCode = "200", description = "One page of checkpoints",
			headers = @Header(name = "Link", description = "rel=\"next\": the next page, while more remain",
					schema = @Schema(type = "string")))
	@GetMapping("/checkpoints")
	ResponseEntity<List<Checkpoint>> checkpoints(@RequestParam(required = false) Long after,
			@RequestParam(required = false) Integer limit) {
		long from = after == null ? 0 : after;
		int size = limit == null ? DEFAULT_CHECKPOINT_LIMIT : limit;
		if (from < 0) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "after must be 0 or a seq", "after");
		}
		if (size < 1 || size > MAX_CHECKPOINT_LIMIT) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX_CHECKPOINT_LIMIT,
					"limit");
		}
		List<Checkpoint> page = this.checkpoints.page(from, size + 1);
		ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
		if (page.size() > size) {
			page = page.subList(0, size);
			ok.header(HttpHeaders.LINK, "</api/v1/audit/checkpoints?after=" + page.get(size - 1).seq() + "&limit="
					+ size + ">; rel=\"next\"");
		}
		return ok.body(page);
	}

	private void write(HttpServletResponse http, List<LedgerEntry> entries) throws IOException {
		http.setStatus(HttpStatus.OK.value());
		http.setContentType(NDJSON);
		http.setCharacterEncoding(StandardCharsets.UTF_8.name());
		OutputStream out = http.getOutputStream();
		for (LedgerEntry entry : entries) {
			out.write(this.objectMapper.writeValueAsBytes(entry));
			out.write('\n');
		}
		out.flush();
	}

}
