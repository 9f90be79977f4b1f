package io.countersign.gate;

import java.util.Map;

/** What the approval policy decides on; the names are the DMN's input expressions. */
record PolicyInput(String actionType, String environment, String severity, String privilegeLevel,
		boolean customerFacing) {

	Map<String, Object> variables() {
		return Map.of("actionType", this.actionType, "environment", this.environment, "severity", this.severity,
				"privilegeLevel", this.privilegeLevel, "customerFacing", this.customerFacing);
	}

	String describe() {
		return "action type '" + this.actionType + "' in " + this.environment + " (severity " + this.severity
				+ ", privilege level " + this.privilegeLevel + ", customer-facing " + this.customerFacing + ")";
	}

}
