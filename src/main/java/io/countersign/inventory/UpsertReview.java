package io.countersign.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import io.countersign.inventory.IdentityUpsertRequest.ConsumerRequest;
import io.countersign.inventory.IdentityUpsertRequest.CredentialRequest;

/**
 * Compares an integrator's report with the stored identity, field by field. A report may add identities, credentials
 * and consumers and update descriptive fields; gated state (what only an approved action changes) must merely repeat
 * what is stored, and a policy input may only get stricter. Scanners re-send the whole identity every run, so a field
 * that repeats the stored value is never a refusal, and a list or value the report leaves out keeps what is stored.
 */
final class UpsertReview {

	/** Gated state changes only through an approved action of a playbook. */
	static final String GATED = "gated-state";

	/** An approval policy input may get stricter through a report, never weaker. */
	static final String WEAKER_INPUT = "policy-input-never-weaker";

	/** A credential belongs to one identity. */
	static final String OWNED_ELSEWHERE = "credential-owner";

	/** One changed field, {@code from} and {@code to} as text (fingerprints, never secret material). */
	record Change(String field, Object from, Object to) {

		Map<String, Object> json() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("field", this.field);
			json.put("from", this.from);
			json.put("to", this.to);
			return json;
		}

	}

	/** A change the report may not make, with the rule that forbids it and the way it can be made instead. */
	record Violation(String field, String rule, String detail) {

		Map<String, Object> json() {
			return Map.of("field", this.field, "rule", this.rule, "detail", this.detail);
		}

	}

	/** @param created the identity is new: everything it comes with is accepted */
	record Result(boolean created, List<Change> changes, List<Violation> violations) {

		boolean refused() {
			return !this.violations.isEmpty();
		}

	}

	private final List<Change> changes = new ArrayList<>();

	private final List<Violation> violations = new ArrayList<>();

	private UpsertReview() {
	}

	/**
	 * @param stored the identity as stored, or null when the report creates it
	 * @param owners the identity each reported credential that exists belongs to
	 */
	static Result review(Identity stored, IdentityUpsertRequest report, Map<String, String> owners, String identityId) {
		UpsertReview review = new UpsertReview();
		report.credentialsOrEmpty()
			.stream()
			.filter(c -> owners.containsKey(c.id()) && !owners.get(c.id()).equals(identityId))
			.forEach(c -> review.violations.add(new Violation("credentials[" + c.id() + "]", OWNED_ELSEWHERE,
					"credential '" + c.id() + "' belongs to identity '" + owners.get(c.id()) + "'")));
		if (stored == null) {
			review.changes.add(new Change("identity", null, identityId));
			return new Result(true, List.copyOf(review.changes), List.copyOf(review.violations));
		}
		review.identity(stored, report);
		review.privileges(stored, report);
		review.consumers(stored, report);
		review.credentials(stored, report);
		return new Result(false, List.copyOf(review.changes), List.copyOf(review.violations));
	}

	private void identity(Identity stored, IdentityUpsertRequest report) {
		descriptive("owner", stored.owner(), report.owner());
		descriptive("description", stored.description(), report.description());
		if (report.target() != null && !report.target().equals(stored.target())) {
			gated("target", stored.target(), report.target(), "the target decides which system an approved action "
					+ "changes; moving an identity would send actions approved for one system to another");
		}
		if (report.status() != null && report.status() != stored.status()) {
			gated("status", stored.status(), report.status(), "an identity is quarantined, suspended or released only "
					+ "through an approved action (playbook identity-quarantine and its release)");
		}
		if (report.environment() != stored.environment()) {
			if (report.environment().isStricterThan(stored.environment())) {
				this.changes.add(new Change("environment", stored.environment().json(), report.environment().json()));
			}
			else {
				weaker("environment", stored.environment().json(), report.environment().json(),
						"the approval policy would treat the identity as less critical");
			}
		}
		PrivilegeLevel level = stored.privilegeLevel();
		if (report.privilegeLevel() != null && report.privilegeLevel() != level) {
			if (report.privilegeLevel().ordinal() > level.ordinal()) {
				this.changes.add(new Change("privilegeLevel", level.json(), report.privilegeLevel().json()));
			}
			else {
				weaker("privilegeLevel", level.json(), report.privilegeLevel().json(),
						"the approval policy would ask fewer or other approvers");
			}
		}
	}

	private void privileges(Identity stored, IdentityUpsertRequest report) {
		if (report.privileges() == null) {
			return;
		}
		Set<String> held = new TreeSet<>(stored.privileges());
		Set<String> reported = new TreeSet<>(report.privileges());
		if (held.equals(reported)) {
			return;
		}
		Set<String> added = new TreeSet<>(reported);
		added.removeAll(held);
		Set<String> removed = new TreeSet<>(held);
		removed.removeAll(reported);
		gated("privileges", held, reported, "privileges of an existing identity change only through an approved "
				+ "action (playbook privilege-reduction); "
				+ (added.isEmpty() ? "" : "adding " + added + " would grant without approval")
				+ (added.isEmpty() || removed.isEmpty() ? "" : ", ")
				+ (removed.isEmpty() ? "" : "removing " + removed + " would strip without approval"));
	}

	private void consumers(Identity stored, IdentityUpsertRequest report) {
		if (report.consumers() == null) {
			return;
		}
		Map<String, ConsumerRequest> reported = new LinkedHashMap<>();
		report.consumers().forEach(c -> reported.put(c.name(), c));
		for (Identity.Consumer consumer : stored.consumers()) {
			String field = "consumers[" + consumer.name() + "]";
			ConsumerRequest now = reported.get(consumer.name());
			if (now == null) {
				if (consumer.isolated()) {
					gated(field, "isolated", null, "removing an isolated workload would release it from isolation; "
							+ "that is the rollback of an approved workload-isolation");
				}
				else if (consumer.customerFacing()) {
					weaker(field, "customer-facing", null, "the approval policy would no longer see a customer-facing "
							+ "workload");
				}
				else {
					this.changes.add(new Change(field, consumer.name(), null));
				}
				continue;
			}
			if (consumer.customerFacing() && !now.customerFacing()) {
				weaker(field + ".customerFacing", true, false,
						"the approval policy would no longer see a customer-facing workload");
			}
			else if (!consumer.customerFacing() && now.customerFacing()) {
				this.changes.add(new Change(field + ".customerFacing", false, true));
			}
			descriptive(field + ".lastUsedAt", text(consumer.lastUsedAt()), text(now.lastUsedAt()));
		}
		Set<String> known = new LinkedHashSet<>();
		stored.consumers().forEach(c -> known.add(c.name()));
		reported.keySet().stream().filter(name -> !known.contains(name))
			.forEach(name -> this.changes.add(new Change("consumers[" + name + "]", null, name)));
	}

	private void credentials(Identity stored, IdentityUpsertRequest report) {
		Map<String, CredentialRequest> reported = new LinkedHashMap<>();
		report.credentialsOrEmpty().forEach(c -> reported.put(c.id(), c));
		for (Identity.Credential credential : stored.credentials()) {
			String field = "credentials[" + credential.id() + "]";
			CredentialRequest now = reported.get(credential.id());
			if (now == null) {
				if (report.credentials() != null) {
					gated(field, credential.status().name(), null, "a credential is never removed by a report: it is "
							+ "disabled through an approved action (playbook credential-revocation)");
				}
				continue;
			}
			if (now.kind() != credential.kind()) {
				gated(field + ".kind", credential.kind().name(), now.kind().name(), "a credential's kind decides which "
						+ "playbook may act on it (a federated trust is disabled only by federated-credential-disable)");
			}
			if (now.status() != null && now.status() != credential.status()) {
				gated(field + ".status", credential.status().name(), now.status().name(), "a credential is suspended, "
						+ "disabled or enabled again only through an approved action (playbook credential-revocation "
						+ "and its restore)");
			}
			Identity.CredentialVersion current = credential.version(credential.currentVersion());
			String fingerprint = current == null ? null : current.fingerprint();
			if (now.fingerprint() != null && !now.fingerprint().equals(fingerprint)) {
				gated(field + ".fingerprint", fingerprint, now.fingerprint(), "a new version of a credential comes "
						+ "only from an approved rotation (playbook secret-rotation)");
			}
			if (now.createdBy() != null && !now.createdBy().equals(credential.createdBy())) {
				if (credential.createdBy() == null) {
					this.changes.add(new Change(field + ".createdBy", null, now.createdBy()));
				}
				else {
					weaker(field + ".createdBy", credential.createdBy(), now.createdBy(), "who created a credential is "
							+ "a fact of its past, and its creator may not approve actions on it");
				}
			}
		}
		Set<String> known = new LinkedHashSet<>();
		stored.credentials().forEach(c -> known.add(c.id()));
		reported.values()
			.stream()
			.filter(c -> !known.contains(c.id()))
			.forEach(c -> this.changes.add(new Change("credentials[" + c.id() + "]", null,
					c.kind().name() + " " + (c.status() == null ? CredentialStatus.ACTIVE : c.status()).name()
							+ (c.fingerprint() == null ? "" : " " + c.fingerprint()))));
	}

	private void descriptive(String field, Object from, Object to) {
		if (!Objects.equals(from, to)) {
			this.changes.add(new Change(field, from, to));
		}
	}

	private void gated(String field, Object from, Object to, String why) {
		this.changes.add(new Change(field, text(from), text(to)));
		this.violations.add(new Violation(field, GATED, field + " is gated: " + why + ". A report may only repeat it ("
				+ text(from) + ")"));
	}

	private void weaker(String field, Object from, Object to, String why) {
		this.changes.add(new Change(field, text(from), text(to)));
		this.violations.add(new Violation(field, WEAKER_INPUT, field + " may not go from " + text(from) + " to "
				+ text(to) + " through a report: " + why + ". Only a stricter value is accepted"));
	}

	private static Object text(Object value) {
		return value == null || value instanceof Boolean || value instanceof Number ? value : value.toString();
	}

}
