package io.countersign.inventory;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How much an identity may do, an input of the approval policy. Integrators should state it; when they do not, it
 * is inferred from the privilege names, erring towards the higher level because a higher level only asks for more
 * approvals.
 */
public enum PrivilegeLevel {

	READ, WRITE, ADMIN;

	private static final List<String> ADMIN_MARKERS = List.of("admin", "owner", "root", "*", "superuser",
			"full-access", "fullaccess");

	private static final List<String> WRITE_MARKERS = List.of("write", "delete", "create", "update", "manage", "put",
			"post", "deploy", "exec", "modify", "rotate", "grant");

	@JsonValue
	public String json() {
		return name().toLowerCase(Locale.ROOT);
	}

	@JsonCreator
	public static PrivilegeLevel of(String value) {
		for (PrivilegeLevel level : values()) {
			if (level.json().equalsIgnoreCase(value)) {
				return level;
			}
		}
		throw new IllegalArgumentException("privilegeLevel must be one of read, write, admin");
	}

	/** The documented inference: any admin-like privilege makes ADMIN, else any write-like one WRITE, else READ. */
	public static PrivilegeLevel infer(List<String> privileges) {
		List<String> lower = privileges.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
		if (lower.stream().anyMatch(p -> ADMIN_MARKERS.stream().anyMatch(p::contains))) {
			return ADMIN;
		}
		if (lower.stream().anyMatch(p -> WRITE_MARKERS.stream().anyMatch(p::contains))) {
			return WRITE;
		}
		return READ;
	}

}
