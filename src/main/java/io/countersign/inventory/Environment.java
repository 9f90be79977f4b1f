package io.countersign.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

public enum Environment {

	PRODUCTION, STAGING, DEVELOPMENT;

	@JsonValue
	public String json() {
		return name().toLowerCase();
	}

	/** Production is the strictest, development the least strict: the policy asks more the stricter it is. */
	public boolean isStricterThan(Environment other) {
		return ordinal() < other.ordinal();
	}

	/** The stricter of the two; a missing one never makes the answer weaker. */
	public static Environment stricter(Environment one, Environment other) {
		if (one == null || other == null) {
			return one == null ? other : one;
		}
		return other.isStricterThan(one) ? other : one;
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
