package io.countersign.inventory;

import java.security.Principal;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

import io.countersign.api.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
@RequestMapping("/api/v1/identities")
class InventoryController {

	/** Where the identity's reports are in the ledger: {@code GET /api/v1/audit?response=<this>}. */
	static final String LEDGER_SUBJECT = "Countersign-Ledger-Subject";

	private final Inventory inventory;

	InventoryController(Inventory inventory) {
		this.inventory = inventory;
	}

	@Operation(operationId = "putIdentity", summary = "Report an identity: create it, or update what may change "
			+ "without approval")
	@ApiResponse(responseCode = "200", description = "The identity as stored",
			headers = @Header(name = LEDGER_SUBJECT, description = "Where the report is in the ledger: "
					+ "GET /api/v1/audit?response=<this>", schema = @Schema(type = "string")))
	@ApiResponse(responseCode = "409", description = "A gated change (owner, environment, privileges, a credential's "
			+ "fingerprint...) that only a playbook may make, or a concurrent first report")
	@ApiResponse(responseCode = "422", description = "The target is not configured")
	@PutMapping("/{id}")
	ResponseEntity<Identity> upsert(@PathVariable @Pattern(regexp = IdentityUpsertRequest.ID_PATTERN) String id,
			@Valid @RequestBody IdentityUpsertRequest request, Principal principal) {
		Identity identity = this.inventory.upsert(id, request, principal.getName());
		return ResponseEntity.ok().header(LEDGER_SUBJECT, UpsertLedger.subject(id)).body(identity);
	}

	@Operation(operationId = "getIdentity", summary = "Read an identity with its credentials' versions")
	@ApiResponse(responseCode = "200", description = "The identity")
	@ApiResponse(responseCode = "404", description = "No such identity")
	@GetMapping("/{id}")
	Identity get(@PathVariable String id) {
		return this.inventory.find(id).orElseThrow(() -> new NotFoundException("identity '" + id + "' does not exist"));
	}

	@ExceptionHandler(UpsertRefusedException.class)
	ResponseEntity<ProblemDetail> refused(UpsertRefusedException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
		problem.setTitle("Gated change refused");
		problem.setProperty("field", ex.field());
		problem.setProperty("rule", ex.rule());
		problem.setProperty("ledgerSubject", ex.ledgerSubject());
		return ResponseEntity.status(HttpStatus.CONFLICT).header(LEDGER_SUBJECT, ex.ledgerSubject()).body(problem);
	}

	/** Two first reports of one identity raced; the loser stored nothing and may send its report again. */
	@ExceptionHandler(DuplicateKeyException.class)
	ProblemDetail concurrentCreate(DuplicateKeyException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
				"The identity was created concurrently; nothing of this report was stored, send it again");
	}

}
