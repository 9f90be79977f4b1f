package io.countersign.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

public enum Environment {

	PRODUCTION, STAGING, DEVELOPMENT;

	@JsonValue
	public String json() {
		return name().toLowerCase();
	}

	@JsonCreator
	public static Environment of(String value) {
		for (Environment environment : values()) {
			if (environment.json().equalsIgnoreCase(value)) {
				return environment;
			}
		}
		throw new IllegalArgumentException("environment must be one of production, staging, development");
	}

}
