package io.countersign.gate;

import jakarta.validation.Valid;

import io.countersign.response.ResponseView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

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

	@Operation(operationId = "decide", summary = "Decide the open approval of a response as the caller")
	@ApiResponse(responseCode = "200", description = "The decision is recorded; the response as it is now")
	@ApiResponse(responseCode = "400", description = "The decision, reason or fingerprint is missing or wrong (field "
			+ "and rule name it)")
	@ApiResponse(responseCode = "403", description = "The gate refused the caller: not in the policy's group, "
			+ "separation of duties, already decided, or the request expired (rule names it)")
	@ApiResponse(responseCode = "404", description = "No such response")
	@ApiResponse(responseCode = "409", description = "No approval is open, or another decision was recorded at the "
			+ "same moment; read the response again")
	@PostMapping("/api/v1/responses/{id}/decision")
	ResponseView decide(@PathVariable String id, @Valid @RequestBody DecisionRequest request,
			Authentication caller) {
		return this.approvals.decide(id, caller, request);
	}

}
