package io.countersign.gate;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.response.ResponseRecord;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.response.Severity;

import org.springframework.stereotype.Component;

/**
 * What the approval policy is asked about a response. No single report can make it weaker: the environment is the
 * strictest of the inventory's and every detection's (joined ones too), the severity the highest any detection reported, the privilege
 * level the inventory's (which a report can only raise), and a workload is customer-facing if the inventory or the
 * responder says so.
 */
@Component
class PolicyInputs {

	private final Responses responses;

	PolicyInputs(Responses responses) {
		this.responses = responses;
	}

	/**
	 * @param alsoReported a detection being joined right now, whose severity and environment count too; may be null
	 */
	PolicyInput of(ResponseRecord response, Identity identity, StagedAction action, Reported alsoReported) {
		List<ResponseView.DetectionView> detections = this.responses.find(response.id())
			.map(ResponseView::detections)
			.orElse(List.of());
		Environment environment = environment(response, identity, alsoReported);
		for (ResponseView.DetectionView detection : detections) {
			if (detection.environment() != null) {
				environment = Environment.stricter(environment, Environment.of(detection.environment()));
			}
		}
		Severity severity = Stream
			.concat(Stream.concat(Stream.of(response.severity()), detections.stream().map(d -> d.severity())),
					Stream.ofNullable(alsoReported).map(Reported::severity))
			.map(Severity::of)
			.max(Comparator.naturalOrder())
			.orElseThrow();
		return new PolicyInput(action.type(), environment.json(), severity.json(),
				identity.privilegeLevel().json(), customerFacing(identity, action));
	}

	/** The stricter of the inventory's environment, the response's (its first detection's) and {@code alsoReported}. */
	static Environment environment(ResponseRecord response, Identity identity, Reported alsoReported) {
		Environment reported = Environment.stricter(Environment.of(response.environment()),
				alsoReported == null ? null : Environment.of(alsoReported.environment()));
		return Environment.stricter(identity.environment(), reported);
	}

	/**
	 * Containment before the decision acts on a detection's word alone, so the inventory must agree on the environment:
	 * a development credential reported as production is not suspended before anyone looked.
	 */
	static boolean inventoryAgrees(PolicyInput input, Identity identity) {
		return !Environment.of(input.environment()).isStricterThan(identity.environment());
	}

	/**
	 * The responder's confirmation can only make an action stricter: if either the inventory or the staged action
	 * says customer-facing, the policy sees customer-facing.
	 */
	static boolean customerFacing(Identity identity, StagedAction action) {
		JsonNode confirmed = action.parameters().get("customerFacing");
		if (confirmed != null && confirmed.isBoolean()) {
			String workload = action.parameters().path("workload").asText(null);
			boolean inventory = workload == null ? identity.customerFacing()
					: identity.consumers().stream().anyMatch(c -> c.name().equals(workload) && c.customerFacing());
			return confirmed.booleanValue() || inventory;
		}
		return identity.customerFacing();
	}

	/** What one detection reported, as received. */
	record Reported(String severity, String environment) {
	}

}
