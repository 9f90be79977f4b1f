package io.countersign.target;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import io.countersign.action.ActionConnector;
import io.countersign.api.ApiException;
import io.countersign.api.NotFoundException;
import io.countersign.inventory.Environment;
import io.countersign.inventory.Identity;
import io.countersign.inventory.IdentityUpsertRequest;
import io.countersign.inventory.IdentityUpsertRequest.ConsumerRequest;
import io.countersign.inventory.IdentityUpsertRequest.CredentialRequest;
import io.countersign.inventory.Inventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Imports a target's identities into the inventory. A new identity is stored on the target; a known one gets the
 * credentials it did not list yet. What the system shows differently from the inventory (a credential changed
 * outside Countersign, privileges granted or taken there) is never written over gated state: it is recorded as
 * drift in the identity's ledger trail, for a person to look at, and the inventory keeps what approvals made it.
 */
@Service
public class TargetSync {

	private static final Logger log = LoggerFactory.getLogger(TargetSync.class);

	private final Targets targets;

	private final Inventory inventory;

	private final org.springframework.core.env.Environment environment;

	TargetSync(Targets targets, Inventory inventory, org.springframework.core.env.Environment environment) {
		this.targets = targets;
		this.inventory = inventory;
		this.environment = environment;
	}

	/** What one sync did. */
	public record Report(String target, int discovered, List<String> imported, List<String> updated,
			List<String> unchanged, List<Drift> drift, List<Skipped> skipped) {
	}

	public record Drift(String identity, String field, String inventory, String target) {
	}

	public record Skipped(String identity, String reason) {
	}

	/**
	 * @throws NotFoundException when no such target is configured
	 * @throws ApiException 422 when the target's type cannot list its identities
	 */
	public Report sync(String name, String actor) {
		if (!this.targets.exists(name)) {
			throw new NotFoundException("target '" + name + "' is not configured");
		}
		ActionConnector connector = this.targets.named(name);
		if (!(connector instanceof TargetDiscovery discovery)) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "target '" + name + "' ("
					+ this.targets.type(name).map(TargetType::json).orElse("?") + ") cannot list its identities");
		}
		String by = actor == null ? "sync:" + name : actor;
		List<TargetDiscovery.Discovered> found = discovery.discover();
		List<String> imported = new ArrayList<>();
		List<String> updated = new ArrayList<>();
		List<String> unchanged = new ArrayList<>();
		List<Drift> drift = new ArrayList<>();
		List<Skipped> skipped = new ArrayList<>();
		for (TargetDiscovery.Discovered discovered : found) {
			try {
				Optional<Identity> stored = this.inventory.find(discovered.identity());
				if (stored.isEmpty()) {
					this.inventory.upsert(discovered.identity(), create(name, discovered), by);
					imported.add(discovered.identity());
				}
				else if (!name.equals(stored.get().target())) {
					skipped.add(new Skipped(discovered.identity(), "the inventory has it on target '"
							+ stored.get().target() + "'"));
				}
				else {
					List<Drift> differences = drift(stored.get(), discovered);
					boolean added = addCredentials(stored.get(), discovered, by);
					(added ? updated : unchanged).add(discovered.identity());
					if (!differences.isEmpty()) {
						drift.addAll(differences);
						Map<String, Object> data = new LinkedHashMap<>();
						data.put("target", name);
						data.put("differences", differences.stream()
							.map(d -> Map.of("field", d.field(), "inventory", d.inventory(), "target", d.target()))
							.toList());
						this.inventory.recordDrift(discovered.identity(), by, differences.size() + " difference(s) between "
								+ "the inventory and target " + name + "; the inventory keeps what approvals made it",
								data);
					}
				}
			}
			catch (ApiException | IllegalArgumentException ex) {
				skipped.add(new Skipped(discovered.identity(), ex.getMessage()));
			}
		}
		log.info("Synced target {}: {} discovered, {} imported, {} updated, {} with drift, {} skipped", name,
				found.size(), imported.size(), updated.size(), drift.stream().map(Drift::identity).distinct().count(),
				skipped.size());
		return new Report(name, found.size(), imported, updated, unchanged, drift, skipped);
	}

	private IdentityUpsertRequest create(String name, TargetDiscovery.Discovered discovered) {
		String prefix = "countersign.targets." + name + ".";
		String owner = this.environment.getProperty(prefix + "owner", name);
		// Unknown until someone says otherwise: the strictest, so the policy asks the most.
		Environment environment = Environment.of(this.environment.getProperty(prefix + "environment", "production"));
		List<CredentialRequest> credentials = discovered.credentials()
			.stream()
			.map(c -> new CredentialRequest(c.id(), c.kind(), c.status(), c.fingerprint()))
			.toList();
		return new IdentityUpsertRequest(owner, discovered.description(), environment, null, discovered.privileges(),
				List.of(), credentials, null, name);
	}

	/** Adds the credentials the inventory does not list yet; everything else is repeated as stored. */
	private boolean addCredentials(Identity stored, TargetDiscovery.Discovered discovered, String by) {
		List<TargetDiscovery.DiscoveredCredential> fresh = discovered.credentials()
			.stream()
			.filter(c -> stored.credential(c.id()) == null)
			.toList();
		if (fresh.isEmpty()) {
			return false;
		}
		List<CredentialRequest> credentials = new ArrayList<>();
		stored.credentials().forEach(c -> credentials.add(new CredentialRequest(c.id(), c.kind(), c.status(),
				currentFingerprint(c), c.createdBy())));
		fresh.forEach(c -> credentials.add(new CredentialRequest(c.id(), c.kind(), c.status(), c.fingerprint())));
		List<ConsumerRequest> consumers = stored.consumers()
			.stream()
			.map(c -> new ConsumerRequest(c.name(), c.customerFacing(), c.lastUsedAt()))
			.toList();
		this.inventory.upsert(stored.id(), new IdentityUpsertRequest(stored.owner(), stored.description(),
				stored.environment(), stored.status(), stored.privileges(), consumers, credentials,
				stored.privilegeLevel(), stored.target()), by);
		return true;
	}

	private static String currentFingerprint(Identity.Credential credential) {
		// A version may carry no fingerprint (an identity reported without one): Optional.map would refuse a null.
		return credential.versions()
			.stream()
			.filter(v -> v.version() == credential.currentVersion())
			.findFirst()
			.map(Identity.CredentialVersion::fingerprint)
			.orElse(null);
	}

	private static List<Drift> drift(Identity stored, TargetDiscovery.Discovered discovered) {
		List<Drift> drift = new ArrayList<>();
		if (!new TreeSet<>(stored.privileges()).equals(new TreeSet<>(discovered.privileges()))) {
			drift.add(new Drift(stored.id(), "privileges", String.join(",", new TreeSet<>(stored.privileges())),
					String.join(",", new TreeSet<>(discovered.privileges()))));
		}
		for (TargetDiscovery.DiscoveredCredential found : discovered.credentials()) {
			Identity.Credential known = stored.credential(found.id());
			if (known == null) {
				continue;
			}
			if (found.status() != null && found.status() != known.status()) {
				drift.add(new Drift(stored.id(), "credentials[" + found.id() + "].status", known.status().name(),
						found.status().name()));
			}
			String fingerprint = currentFingerprint(known);
			if (found.fingerprint() != null && fingerprint != null && !Objects.equals(found.fingerprint(), fingerprint)) {
				drift.add(new Drift(stored.id(), "credentials[" + found.id() + "].fingerprint", fingerprint,
						found.fingerprint()));
			}
		}
		return drift;
	}

}
