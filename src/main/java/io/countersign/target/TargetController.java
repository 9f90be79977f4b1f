package io.countersign.target;

import java.security.Principal;
import java.util.List;

import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The configured targets, and importing a target's identities into the inventory. Admins only. */
@RestController
@Validated
@RequestMapping("/api/v1/targets")
class TargetController {

	private final Targets targets;

	private final TargetSync sync;

	TargetController(Targets targets, TargetSync sync) {
		this.targets = targets;
		this.sync = sync;
	}

	record TargetView(String name, String type, boolean canSync) {
	}

	@Operation(operationId = "listTargets", summary = "List the configured targets")
	@ApiResponse(responseCode = "200", description = "The targets")
	@GetMapping
	List<TargetView> list() {
		return this.targets.names()
			.stream()
			.map(name -> new TargetView(name, this.targets.type(name).map(TargetType::json).orElse(null),
					this.targets.named(name) instanceof TargetDiscovery))
			.toList();
	}

	@Operation(operationId = "syncTarget", summary = "Import a target's identities into the inventory, drift "
			+ "reported, never written")
	@ApiResponse(responseCode = "200", description = "What was discovered, imported and found drifted")
	@ApiResponse(responseCode = "404", description = "No such target")
	@ApiResponse(responseCode = "422", description = "The target cannot list its identities")
	@PostMapping("/{name}/sync")
	TargetSync.Report sync(@PathVariable @Size(max = 64) String name, Principal principal) {
		return this.sync.sync(name, principal.getName());
	}

}
