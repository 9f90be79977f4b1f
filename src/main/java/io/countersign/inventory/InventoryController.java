package io.countersign.inventory;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

import io.countersign.api.NotFoundException;

import org.springframework.validation.annotation.Validated;
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

	private final Inventory inventory;

	InventoryController(Inventory inventory) {
		this.inventory = inventory;
	}

	@PutMapping("/{id}")
	Identity upsert(@PathVariable @Pattern(regexp = IdentityUpsertRequest.ID_PATTERN) String id,
			@Valid @RequestBody IdentityUpsertRequest request) {
		return this.inventory.upsert(id, request);
	}

	@GetMapping("/{id}")
	Identity get(@PathVariable String id) {
		return this.inventory.find(id).orElseThrow(() -> new NotFoundException("identity '" + id + "' does not exist"));
	}

}
