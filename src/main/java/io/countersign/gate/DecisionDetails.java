package io.countersign.gate;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.action.StagedAction;
import io.countersign.response.ResponseRecord;

/**
 * Validates what an approver submitted besides the decision, against the options the request was opened with, and
 * returns it as recorded with the decision: a narrowed proposal, a monitoring period, confirmations.
 */
final class DecisionDetails {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private DecisionDetails() {
	}

	static Map<String, Object> of(ApprovalRequest request, ResponseRecord response, String decision,
			Map<String, String> extras) {
		Map<String, Object> details = new LinkedHashMap<>();
		ApprovalOptions options = request.options();
		switch (decision) {
			case ApprovalVariables.NARROW -> details.put(ApprovalVariables.NARROWED_TO,
					narrowed(options.narrowParameter(), StagedAction.fromJson(response.stagedAction()),
							extras.get(ApprovalVariables.NARROWED_TO)));
			case ApprovalVariables.DEFER -> details.put(ApprovalVariables.MONITOR_FOR,
					period(extras.get(ApprovalVariables.MONITOR_FOR)).toString());
			case ApprovalVariables.APPROVE -> {
				for (String name : options.confirmations()) {
					String value = extras.get(name);
					if (value == null || value.isBlank()) {
						throw new InvalidDecisionException("confirmation-required",
								"approving this action requires '" + name + "': confirm it before approving");
					}
					if (value.length() > ApprovalVariables.MAX_CONFIRMATION_LENGTH) {
						throw new InvalidDecisionException("confirmation-required", "'" + name + "' is longer than "
								+ ApprovalVariables.MAX_CONFIRMATION_LENGTH + " characters");
					}
					details.put(name, value.strip());
				}
			}
			default -> {
			}
		}
		return details;
	}

	/** A strict, non-empty subset of the staged array: narrowing can take away, never add. */
	private static List<String> narrowed(String parameter, StagedAction action, String submitted) {
		JsonNode staged = action.parameters().get(parameter);
		if (staged == null || !staged.isArray()) {
			throw new InvalidDecisionException("narrow-subset",
					"the staged action has no list '" + parameter + "' to narrow");
		}
		Set<String> current = new LinkedHashSet<>();
		staged.forEach(value -> current.add(value.asText()));
		if (submitted == null || submitted.isBlank()) {
			throw new InvalidDecisionException("narrow-subset", "narrowedTo is required: the values of '" + parameter
					+ "' to keep in the action, comma-separated");
		}
		List<String> narrowed = new ArrayList<>();
		for (String raw : submitted.split(",")) {
			String value = raw.strip();
			if (value.isEmpty() || narrowed.contains(value)) {
				continue;
			}
			if (!current.contains(value)) {
				throw new InvalidDecisionException("narrow-subset",
						"'" + value + "' is not in the staged " + parameter + " " + current + "; narrowing cannot add");
			}
			narrowed.add(value);
		}
		if (narrowed.isEmpty() || narrowed.size() == current.size()) {
			throw new InvalidDecisionException("narrow-subset", "narrowedTo must keep some but not all of "
					+ current + "; to drop the whole action, reject it");
		}
		return narrowed;
	}

	private static Duration period(String submitted) {
		if (submitted == null || submitted.isBlank()) {
			throw new InvalidDecisionException("monitor-period", "monitorFor is required, for example P1D");
		}
		Duration period;
		try {
			period = Duration.parse(submitted.strip());
		}
		catch (DateTimeParseException ex) {
			throw new InvalidDecisionException("monitor-period",
					"monitorFor '" + submitted + "' is not an ISO-8601 duration such as PT12H or P3D");
		}
		if (period.compareTo(ApprovalVariables.MIN_MONITOR) < 0 || period.compareTo(ApprovalVariables.MAX_MONITOR) > 0) {
			throw new InvalidDecisionException("monitor-period", "monitorFor must be from "
					+ ApprovalVariables.MIN_MONITOR + " to " + ApprovalVariables.MAX_MONITOR + ", not " + period);
		}
		return period;
	}

	static String json(Map<String, Object> details) {
		try {
			return MAPPER.writeValueAsString(details);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static Map<String, Object> parse(String json) {
		try {
			return MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {
			});
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("decision details are not JSON: " + json, ex);
		}
	}

}
