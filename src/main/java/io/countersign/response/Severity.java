package io.countersign.response;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

public enum Severity {

	LOW, MEDIUM, HIGH, CRITICAL;

	@JsonValue
	public String json() {
		return name().toLowerCase();
	}

	@JsonCreator
	public static Severity of(String value) {
		for (Severity severity : values()) {
			if (severity.json().equalsIgnoreCase(value)) {
				return severity;
			}
		}
		throw new IllegalArgumentException("severity must be one of low, medium, high, critical");
	}

}
