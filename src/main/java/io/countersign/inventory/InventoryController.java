package io.countersign.inventory;

import java.security.Principal;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

import io.countersign.api.NotFoundException;

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

	@PutMapping("/{id}")
	ResponseEntity<Identity> upsert(@PathVariable @Pattern(regexp = IdentityUpsertRequest.ID_PATTERN) String id,
			@Valid @RequestBody IdentityUpsertRequest request, Principal principal) {
		Identity identity = this.inventory.upsert(id, request, principal.getName());
		return ResponseEntity.ok().header(LEDGER_SUBJECT, UpsertLedger.subject(id)).body(identity);
	}

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
