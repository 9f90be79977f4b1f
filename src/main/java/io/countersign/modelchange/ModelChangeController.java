package io.countersign.modelchange;

import java.net.URI;
import java.security.Principal;

import io.countersign.api.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Model changes: admins submit, a second person approves through the gate (Tasklist or the decision API). */
@RestController
@Validated
@RequestMapping("/api/v1/model-changes")
class ModelChangeController {

	private final ModelChanges changes;

	ModelChangeController(ModelChanges changes) {
		this.changes = changes;
	}

	/** 202: staged and waiting for approval; nothing is deployed before that. */
	@Operation(operationId = "submitModelChange", summary = "Propose BPMN, DMN or form files for a countersigned "
			+ "deployment")
	@ApiResponse(responseCode = "202", description = "Staged and waiting for approval; Location is the change")
	@ApiResponse(responseCode = "422", description = "A file is invalid, too large, named twice, or changes nothing")
	@PostMapping
	ResponseEntity<ModelChangeView> submit(@Valid @RequestBody ModelChangeRequest request, Principal principal) {
		ModelChangeView view = this.changes.submit(request, principal.getName());
		return ResponseEntity.accepted().location(URI.create(view.links().get("self"))).body(view);
	}

	@Operation(operationId = "getModelChange", summary = "Read a model change: status, diff, deployment")
	@ApiResponse(responseCode = "200", description = "The model change")
	@ApiResponse(responseCode = "404", description = "No such model change")
	@GetMapping("/{id}")
	ModelChangeView get(@PathVariable @Size(max = 36) String id) {
		return this.changes.view(id).orElseThrow(() -> new NotFoundException("model change '" + id + "' does not exist"));
	}

}
