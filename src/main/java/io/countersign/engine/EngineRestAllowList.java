package io.countersign.engine;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The engine-rest endpoints a deployment with the allow-list on serves: what Tasklist, Cockpit, Admin and Welcome call
 * and what our documented integrations use, each with who needs it. Everything else is answered 404 by
 * {@link EngineRestAllowListFilter}. {@code docs/engine-rest.md} is the same list with the reason for each entry; a test
 * keeps the two and engine-rest's own endpoints in step.
 *
 * <p>Paths are relative to an engine root: {@code /engine-rest}, {@code /engine-rest/engine/{name}} or the webapps'
 * {@code /camunda/api/engine/engine/{name}}. A segment in braces matches exactly one segment, anything else itself.
 */
final class EngineRestAllowList {

	/** Who calls an endpoint: a webapp, or an integration the README documents. */
	enum Caller {

		TASKLIST("Tasklist"), COCKPIT("Cockpit"), ADMIN("Admin"), WELCOME("Welcome"), INTEGRATION("integration");

		private final String label;

		Caller(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}

	}

	record Entry(String method, String path, Set<Caller> callers) {

		Entry {
			callers = Set.copyOf(callers);
		}

		List<String> segments() {
			return EngineRestAllowList.segments(this.path);
		}

		boolean matches(String requestMethod, List<String> requestSegments) {
			List<String> pattern = segments();
			if (!this.method.equals(requestMethod) || pattern.size() != requestSegments.size()) {
				return false;
			}
			for (int i = 0; i < pattern.size(); i++) {
				String expected = pattern.get(i);
				boolean variable = expected.startsWith("{");
				if (!variable && !expected.equals(requestSegments.get(i))) {
					return false;
				}
			}
			return true;
		}

		@Override
		public String toString() {
			return this.method + " " + this.path;
		}

	}

	private static final Caller TASKLIST = Caller.TASKLIST;

	private static final Caller COCKPIT = Caller.COCKPIT;

	private static final Caller ADMIN = Caller.ADMIN;

	private static final Caller WELCOME = Caller.WELCOME;

	private static final Caller INTEGRATION = Caller.INTEGRATION;

	static final List<Entry> ENTRIES = List.of(
			// Who is logged in, and on which engine.
			entry("GET", "/engine", TASKLIST, COCKPIT, ADMIN, WELCOME, INTEGRATION),
			entry("GET", "/user/{id}/profile", TASKLIST, COCKPIT, ADMIN, WELCOME),
			entry("GET", "/authorization/check", TASKLIST, COCKPIT, ADMIN, WELCOME),
			entry("GET", "/identity/password-policy", ADMIN, WELCOME),
			entry("POST", "/identity/password-policy", ADMIN, WELCOME),
			// Approving: the task list, the task's form, claiming and deciding.
			entry("GET", "/filter", TASKLIST), entry("GET", "/filter/count", TASKLIST),
			entry("OPTIONS", "/filter", TASKLIST), entry("POST", "/filter/{id}/list", TASKLIST),
			entry("GET", "/task", TASKLIST, COCKPIT, INTEGRATION), entry("GET", "/task/count", COCKPIT, INTEGRATION),
			entry("POST", "/task", INTEGRATION), entry("POST", "/task/count", INTEGRATION),
			entry("GET", "/task/{id}", TASKLIST, INTEGRATION), entry("GET", "/task/{id}/form", TASKLIST, INTEGRATION),
			entry("GET", "/task/{id}/deployed-form", TASKLIST, INTEGRATION),
			entry("GET", "/task/{id}/form-variables", TASKLIST, INTEGRATION),
			entry("GET", "/task/{id}/identity-links", TASKLIST, COCKPIT), entry("GET", "/task/{id}/comment", TASKLIST),
			entry("POST", "/task/{id}/claim", TASKLIST, INTEGRATION),
			entry("POST", "/task/{id}/unclaim", TASKLIST, INTEGRATION),
			entry("POST", "/task/{id}/assignee", TASKLIST, COCKPIT),
			entry("POST", "/task/{id}/complete", TASKLIST, INTEGRATION),
			entry("POST", "/task/{id}/submit-form", TASKLIST, INTEGRATION),
			entry("GET", "/history/user-operation", TASKLIST), entry("GET", "/history/user-operation/count", TASKLIST),
			// Process definitions and their diagrams.
			entry("GET", "/process-definition", TASKLIST, COCKPIT),
			entry("GET", "/process-definition/count", TASKLIST, COCKPIT),
			entry("GET", "/process-definition/statistics", COCKPIT), entry("GET", "/process-definition/{id}", COCKPIT),
			entry("GET", "/process-definition/{id}/xml", TASKLIST, COCKPIT),
			entry("GET", "/process-definition/{id}/statistics", COCKPIT),
			entry("GET", "/process-definition/{id}/static-called-process-definitions", COCKPIT),
			// Monitoring running responses.
			entry("POST", "/process-instance", COCKPIT), entry("GET", "/process-instance/count", COCKPIT),
			entry("POST", "/process-instance/count", COCKPIT), entry("GET", "/process-instance/{id}", COCKPIT),
			entry("GET", "/process-instance/{id}/activity-instances", COCKPIT),
			entry("POST", "/variable-instance", COCKPIT), entry("POST", "/variable-instance/count", COCKPIT),
			entry("GET", "/job-definition", COCKPIT), entry("GET", "/job-definition/count", COCKPIT),
			entry("POST", "/job", COCKPIT), entry("POST", "/job/count", COCKPIT),
			entry("GET", "/job/{id}/stacktrace", COCKPIT), entry("PUT", "/job/{id}/retries", COCKPIT),
			entry("GET", "/task/report/candidate-group-count", COCKPIT), entry("POST", "/history/task/count", COCKPIT),
			entry("GET", "/case-definition/count", COCKPIT),
			// Policies and decisions.
			entry("GET", "/decision-definition", COCKPIT), entry("GET", "/decision-definition/count", COCKPIT),
			entry("GET", "/decision-definition/{id}", COCKPIT), entry("GET", "/decision-definition/{id}/xml", COCKPIT),
			entry("GET", "/decision-requirements-definition", COCKPIT),
			entry("GET", "/decision-requirements-definition/count", COCKPIT),
			entry("GET", "/decision-requirements-definition/{id}", COCKPIT),
			entry("GET", "/decision-requirements-definition/{id}/xml", COCKPIT),
			entry("GET", "/history/decision-instance", COCKPIT),
			entry("GET", "/history/decision-instance/count", COCKPIT),
			// What is deployed, read only.
			entry("GET", "/deployment", COCKPIT), entry("GET", "/deployment/count", COCKPIT),
			entry("GET", "/deployment/{id}/resources", COCKPIT),
			entry("GET", "/deployment/{id}/resources/{resourceId}", COCKPIT),
			entry("GET", "/deployment/{id}/resources/{resourceId}/data", COCKPIT),
			// The batch page, read only: nothing here starts a batch.
			entry("GET", "/batch/statistics", COCKPIT), entry("GET", "/batch/statistics/count", COCKPIT),
			entry("GET", "/history/batch", COCKPIT), entry("GET", "/history/batch/count", COCKPIT),
			// Users, groups and memberships: every change is a ledger entry (io.countersign.governance).
			entry("GET", "/user", COCKPIT, ADMIN), entry("GET", "/user/count", ADMIN), entry("OPTIONS", "/user", ADMIN),
			entry("OPTIONS", "/user/{id}", ADMIN), entry("POST", "/user/create", ADMIN),
			entry("PUT", "/user/{id}/profile", ADMIN, WELCOME), entry("PUT", "/user/{id}/credentials", ADMIN, WELCOME),
			entry("POST", "/user/{id}/unlock", ADMIN), entry("DELETE", "/user/{id}", ADMIN),
			entry("GET", "/group", ADMIN), entry("POST", "/group", COCKPIT, ADMIN, WELCOME),
			entry("GET", "/group/count", ADMIN, WELCOME), entry("GET", "/group/{id}", ADMIN),
			entry("OPTIONS", "/group", ADMIN), entry("OPTIONS", "/group/{id}", ADMIN),
			entry("POST", "/group/create", ADMIN), entry("PUT", "/group/{id}", ADMIN),
			entry("DELETE", "/group/{id}", ADMIN), entry("PUT", "/group/{id}/members/{userId}", ADMIN),
			entry("DELETE", "/group/{id}/members/{userId}", ADMIN),
			// Tenants are not used by Countersign: Admin may show them, nobody changes them.
			entry("GET", "/tenant", ADMIN), entry("GET", "/tenant/count", ADMIN), entry("OPTIONS", "/tenant", ADMIN),
			// Authorizations: every change is a ledger entry (io.countersign.governance).
			entry("GET", "/authorization", ADMIN), entry("GET", "/authorization/count", ADMIN),
			entry("OPTIONS", "/authorization", ADMIN), entry("POST", "/authorization/create", ADMIN),
			entry("PUT", "/authorization/{id}", ADMIN), entry("DELETE", "/authorization/{id}", ADMIN));

	private EngineRestAllowList() {
	}

	/** {@code segments} are the decoded path segments below the engine root. */
	static boolean permits(String method, List<String> segments) {
		return ENTRIES.stream().anyMatch(entry -> entry.matches(method, segments));
	}

	static List<String> segments(String path) {
		return Arrays.stream(path.split("/")).filter(segment -> !segment.isEmpty()).toList();
	}

	private static Entry entry(String method, String path, Caller first, Caller... more) {
		return new Entry(method, path, EnumSet.of(first, more));
	}

}
