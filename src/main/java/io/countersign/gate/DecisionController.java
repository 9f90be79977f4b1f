package io.countersign.gate;

import jakarta.validation.Valid;

import io.countersign.response.ResponseView;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DecisionController {

	private final Approvals approvals;

	DecisionController(Approvals approvals) {
		this.approvals = approvals;
	}

	@PostMapping("/api/v1/responses/{id}/decision")
	ResponseView decide(@PathVariable String id, @Valid @RequestBody DecisionRequest request,
			Authentication caller) {
		return this.approvals.decide(id, caller, request);
	}

}
