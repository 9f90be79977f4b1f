package io.countersign.connector.keycloak;

import static io.countersign.action.ActionTypes.CREDENTIAL_DISABLE;
import static io.countersign.action.ActionTypes.CREDENTIAL_ENABLE;
import static io.countersign.action.ActionTypes.CREDENTIAL_ROTATE;
import static io.countersign.action.ActionTypes.CREDENTIAL_SUSPEND;
import static io.countersign.action.ActionTypes.IDENTITY_QUARANTINE;
import static io.countersign.action.ActionTypes.IDENTITY_RELEASE;
import static io.countersign.action.ActionTypes.IDENTITY_SUSPEND;
import static io.countersign.action.ActionTypes.PRIVILEGES_REDUCE;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionConnector;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.secret.SecretMaterial;
import io.countersign.secret.SecretSink;
import io.countersign.target.TargetChanges;
import io.countersign.target.TargetChanges.Change;
import io.countersign.target.TargetChanges.Status;
import io.countersign.target.TargetDiscovery;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out approved actions on the service-account clients of one Keycloak realm
 * ({@code countersign.targets.<name>.type = keycloak}).
 *
 * <p>
 * <b>Mapping.</b> An identity on this target is a set of confidential clients with a service account: each of its
 * credential ids is a Keycloak {@code clientId} (never Keycloak's internal id, which a realm re-import changes), and
 * the credential is that client's secret. Its privileges are the roles mapped directly to the clients' service-account
 * users: a realm role by its name ({@code reports:read}), a client role as {@code <clientId>/<role>}
 * ({@code payments-api/payments:refund}). A privilege that would name both a realm role and a client role is refused
 * as ambiguous rather than guessed. Roles that come only through a composite or a group are not privileges of the
 * identity (they cannot be taken away from it), but they do show in its tokens, which verify looks at.
 *
 * <p>
 * <b>Actions.</b>
 * <ul>
 * <li>{@code credential.rotate}: Keycloak regenerates the client's secret; it goes to the {@link SecretSink}, is proven
 * by a {@code client_credentials} token request (200), and then the old secret is ended and proven refused. See
 * {@link #rotate} for when the old secret ends.</li>
 * <li>{@code credential.suspend}, {@code credential.disable} (the credential's client), {@code identity.suspend},
 * {@code identity.quarantine} (every client of the identity): the client disabled and a not-before revocation pushed,
 * so tokens it already holds are no longer accepted by introspection. Verified by a token request refused.</li>
 * <li>{@code credential.enable}, {@code identity.release}: the client enabled again; verified by a token issued.</li>
 * <li>{@code identity.privileges.reduce}: the roles in {@code remove} are taken from the service accounts;
 * {@code keep} must be held and stays. Verified by reading the role mappings back and by a token's roles.</li>
 * </ul>
 * Any other type is refused at stage, naming the type and the target. So is acting on the client Countersign itself
 * logs in as.
 *
 * <p>
 * <b>Journal.</b> As the PostgreSQL connector: the receipt is verified and spent in the caller's transaction under a
 * savepoint, the before-state is committed as PENDING before Keycloak is touched, and the change becomes APPLIED with
 * the spent receipt. A retry of a PENDING change reads the clients and finishes only what is not done. Undo flips
 * APPLIED to UNDONE once, refuses when the clients no longer show this change's after-state, and restores only what
 * this change changed.
 *
 * <p>
 * <b>Secrets.</b> A secret passes through only as {@link ClientSecret} or {@link SecretMaterial}: to the sink, to a
 * token request, or into a fingerprint ({@code sha256:}) for the journal. Client representations, which carry the
 * secret and the rotated secret, are never logged.
 */
class KeycloakConnector implements ActionConnector, TargetDiscovery {

	private static final Set<String> DISABLING = Set.of(CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE, IDENTITY_SUSPEND,
			IDENTITY_QUARANTINE);

	private static final Set<String> ENABLING = Set.of(CREDENTIAL_ENABLE, IDENTITY_RELEASE);

	private final String name;

	private final KeycloakAdmin admin;

	private final TargetChanges changes;

	private final ReceiptVerifier receipts;

	private final SecretSink sink;

	private final ObjectProvider<Inventory> inventory;

	private final ObjectMapper json;

	private final TransactionTemplate savepoint;

	KeycloakConnector(String name, KeycloakAdmin admin, TargetChanges changes, ReceiptVerifier receipts,
			SecretSink sink, ObjectProvider<Inventory> inventory, PlatformTransactionManager transactionManager,
			ObjectMapper json) {
		this.name = name;
		this.admin = admin;
		this.changes = changes;
		this.receipts = receipts;
		this.sink = sink;
		this.inventory = inventory;
		this.json = json;
		// A refusal undoes the receipt's use and leaves the job's transaction usable.
		this.savepoint = new TransactionTemplate(transactionManager);
		this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public void stage(ConnectorCall call) {
		StagedAction action = handled(call.action());
		List<String> clients = clients(action);
		if (PRIVILEGES_REDUCE.equals(action.type())) {
			Reduction reduction = Reduction.of(action);
			Map<String, ServiceAccountRoles> held = new LinkedHashMap<>();
			clients.forEach(client -> held.put(client, this.admin.serviceAccountRoles(client)));
			Set<String> all = new TreeSet<>();
			held.values().forEach(roles -> all.addAll(privileges(roles)));
			List<String> missing = new ArrayList<>(reduction.remove());
			missing.addAll(reduction.keep());
			missing.removeAll(all);
			if (!missing.isEmpty()) {
				throw refused("the service accounts of " + clients + " on target '" + this.name + "' do not hold "
						+ missing);
			}
			// Refuses a privilege that names both a realm role and a client role.
			held.values().forEach(roles -> select(roles, reduction.remove()));
		}
	}

	/**
	 * Verifies and spends the receipt, then changes the client(s) under the journal's protocol; a key already APPLIED
	 * is a retry of a committed apply and changes nothing.
	 */
	@Override
	public void apply(ConnectorCall call) {
		StagedAction action = handled(call.action());
		Optional<Change> journalled = this.changes.find(call.idempotencyKey());
		if (journalled.isPresent() && journalled.get().status() != Status.PENDING) {
			this.changes.requireSameAction(journalled.get(), call, this.name);
			if (journalled.get().status() == Status.UNDONE) {
				throw refused("idempotency key '" + call.idempotencyKey() + "' was applied and undone already");
			}
			return;
		}
		journalled.ifPresent(change -> this.changes.requireSameAction(change, call, this.name));
		this.savepoint.executeWithoutResult(status -> {
			this.receipts.verifyAndConsume(call.receipt(), call.responseId(), action.fingerprint(), this.name);
			if (CREDENTIAL_ROTATE.equals(action.type())) {
				rotate(call, journalled);
			}
			else if (PRIVILEGES_REDUCE.equals(action.type())) {
				reduce(call, journalled);
			}
			else {
				switchEnabled(call, journalled);
			}
		});
	}

	private void switchEnabled(ConnectorCall call, Optional<Change> journalled) {
		boolean enable = ENABLING.contains(call.action().type());
		ObjectNode before;
		if (journalled.isPresent()) {
			// Reconcile: the before-state is the one journalled before the crash, not what the client shows now.
			before = read(journalled.get().beforeState());
		}
		else {
			before = this.json.createObjectNode();
			ObjectNode enabled = before.putObject("enabled");
			for (String client : clients(call.action())) {
				enabled.put(client, existing(client).enabled());
			}
			this.changes.pending(call, this.name, write(before));
		}
		List<String> changed = new ArrayList<>();
		before.path("enabled").properties().forEach(entry -> {
			String client = entry.getKey();
			if (entry.getValue().asBoolean() != enable) {
				changed.add(client);
			}
			if (existing(client).enabled() != enable) {
				deliverIfReplaced(client, this.admin.setEnabled(client, enable));
			}
			if (!enable) {
				// Also when it was disabled already (by an earlier attempt, by someone else): tokens must die anyway.
				// Never moves an existing not-before back, so a retry is harmless.
				deliverIfReplaced(client, this.admin.pushNotBefore(client));
			}
		});
		ObjectNode after = this.json.createObjectNode();
		after.put("enabled", enable);
		after.set("changed", this.json.valueToTree(changed));
		this.changes.applied(call.idempotencyKey(), write(after));
	}

	/**
	 * Under a realm's rotation policy, updating a client whose secret expired makes Keycloak issue a new one and tell
	 * nobody. Its consumers read their secret from the sink, so the sink gets it: otherwise enabling the client again
	 * later would hand back a client nobody can log in as.
	 */
	private void deliverIfReplaced(String client, ClientUpdate update) {
		if (update.secretReplaced()) {
			deliver(client, this.admin.readSecret(client));
		}
	}

	private void reduce(ConnectorCall call, Optional<Change> journalled) {
		Reduction reduction = Reduction.of(call.action());
		ObjectNode before;
		if (journalled.isPresent()) {
			before = read(journalled.get().beforeState());
		}
		else {
			before = this.json.createObjectNode();
			ObjectNode held = before.putObject("roles");
			for (String client : clients(call.action())) {
				held.set(client, rolesJson(this.admin.serviceAccountRoles(client)));
			}
			this.changes.pending(call, this.name, write(before));
		}
		ObjectNode removed = this.json.createObjectNode();
		before.path("roles").properties().forEach(entry -> {
			String client = entry.getKey();
			// Resolved against the journalled roles; only what is still there is removed: after a crash part of it
			// may be gone already.
			ServiceAccountRoles take = select(rolesOf(entry.getValue()), reduction.remove());
			ServiceAccountRoles now = this.admin.serviceAccountRoles(client);
			Set<String> realmStill = new TreeSet<>(take.realmRoles());
			realmStill.retainAll(now.realmRoles());
			this.admin.removeRealmRoles(client, realmStill);
			take.clientRoles().forEach((owner, names) -> {
				Set<String> still = new TreeSet<>(names);
				still.retainAll(now.clientRoles(owner));
				this.admin.removeClientRoles(client, owner, still);
			});
			removed.set(client, rolesJson(take));
		});
		ObjectNode after = this.json.createObjectNode();
		after.set("removed", removed);
		this.changes.applied(call.idempotencyKey(), write(after));
	}

	/** Of the roles a service account holds, the ones these privileges name. */
	private static ServiceAccountRoles select(ServiceAccountRoles held, List<String> privileges) {
		Set<String> realmRoles = new TreeSet<>();
		Map<String, Set<String>> clientRoles = new LinkedHashMap<>();
		Set<String> names = privileges(held);
		for (String privilege : privileges) {
			if (!names.contains(privilege)) {
				continue;
			}
			Role role = resolve(held, privilege);
			if (role.client() == null) {
				realmRoles.add(role.name());
			}
			else {
				clientRoles.computeIfAbsent(role.client(), owner -> new TreeSet<>()).add(role.name());
			}
		}
		return new ServiceAccountRoles(realmRoles, clientRoles);
	}

	private JsonNode rolesJson(ServiceAccountRoles roles) {
		ObjectNode node = this.json.createObjectNode();
		node.set("realm", this.json.valueToTree(new TreeSet<>(roles.realmRoles())));
		ObjectNode clients = node.putObject("clients");
		roles.clientRoles().forEach((owner, names) -> clients.set(owner, this.json.valueToTree(new TreeSet<>(names))));
		return node;
	}

	private static ServiceAccountRoles rolesOf(JsonNode node) {
		Map<String, Set<String>> clientRoles = new LinkedHashMap<>();
		node.path("clients")
			.properties()
			.forEach(entry -> clientRoles.put(entry.getKey(), new TreeSet<>(texts(entry.getValue()))));
		return new ServiceAccountRoles(new TreeSet<>(texts(node.path("realm"))), clientRoles);
	}

	/**
	 * Rotates the client's secret, once per idempotency key.
	 *
	 * <p>
	 * <b>When the old secret ends: at the end of this apply.</b> Keycloak regenerates the secret. Where a rotation
	 * policy of the realm applies to the client, Keycloak keeps the old secret valid for the policy's window, and this
	 * apply uses that window as the cutover: the new secret goes to the sink and is proven by a token request while the
	 * old one still works, and only then does the apply end the old one and prove it refused. Consumers that read the
	 * sink never hold a dead secret while the live one is undelivered. The old secret is not left to run out with
	 * Keycloak's window (often days): a rotation is usually asked for because the old secret is suspect, and the
	 * approval was for replacing it, not for a second secret valid for days. Without a policy the old secret dies the
	 * moment Keycloak regenerates, a moment before the sink has the new one.
	 *
	 * <p>
	 * <b>Never twice.</b> The PENDING row holds the fingerprint of the secret before. A retry reads Keycloak's current
	 * secret (compared as a fingerprint, never stored): the same means the crashed attempt never regenerated, so it
	 * starts afresh; different means it did, and the retry delivers the secret Keycloak now holds (the sink keeps the
	 * last delivery, so a second delivery of the same secret is harmless) and finishes, without regenerating. A second
	 * regeneration inside a rotation window would also silently drop the secret the consumers may still be using.
	 */
	private void rotate(ConnectorCall call, Optional<Change> journalled) {
		String client = clients(call.action()).get(0);
		if (journalled.isPresent()) {
			ObjectNode before = read(journalled.get().beforeState());
			ClientSecret current = this.admin.readSecret(client);
			if (!fingerprint(current).equals(before.path("secret").asText())) {
				finishRotation(client, current, null, this.admin.rotatedSecretValidUntil(client).isPresent());
				this.changes.applied(call.idempotencyKey(), write(rotated(current)));
				return;
			}
			// That attempt never reached Keycloak: start afresh.
			this.changes.abandon(call.idempotencyKey());
		}
		ClientSecret old = this.admin.readSecret(client);
		ObjectNode before = this.json.createObjectNode();
		before.put("client", client);
		before.put("secret", fingerprint(old));
		this.changes.pending(call, this.name, write(before));
		ClientSecret fresh = regenerateAndFinish(client, old);
		this.changes.applied(call.idempotencyKey(), write(rotated(fresh)));
	}

	private ClientSecret regenerateAndFinish(String client, ClientSecret old) {
		SecretRotation rotation = this.admin.regenerateSecret(client);
		finishRotation(client, rotation.secret(), old, rotation.previousKept());
		return rotation.secret();
	}

	/** Sink, proof of the new secret, and only then the end of the old one and its proof. */
	private void finishRotation(String client, ClientSecret fresh, ClientSecret old, boolean oldKept) {
		deliver(client, fresh);
		if (!this.admin.tokenRequest(client, fresh.value()).issued()) {
			throw refused("client '" + client + "' on target '" + this.name
					+ "' gets no token with the secret Keycloak just issued");
		}
		if (oldKept) {
			this.admin.endRotatedSecret(client);
		}
		if (old != null && this.admin.tokenRequest(client, old.value()).issued()) {
			throw refused("client '" + client + "' on target '" + this.name
					+ "' still gets a token with the secret it had before the rotation");
		}
	}

	private ObjectNode rotated(ClientSecret fresh) {
		ObjectNode after = this.json.createObjectNode();
		after.put("secret", fingerprint(fresh));
		return after;
	}

	private void deliver(String client, ClientSecret secret) {
		SecretMaterial material = SecretMaterial.of(secret.value());
		try {
			this.sink.deliver(this.name, client, material);
		}
		finally {
			material.destroy();
		}
	}

	/**
	 * Checks the receipt is for this action (without spending it), then that Keycloak shows the journalled
	 * after-state, by reading it back and by a real token request.
	 */
	@Override
	public void verify(ConnectorCall call) {
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		StagedAction action = handled(call.action());
		Change change = this.changes.find(call.idempotencyKey())
			.filter(c -> c.status() == Status.APPLIED)
			.orElseThrow(() -> refused("nothing is applied under idempotency key '" + call.idempotencyKey() + "'"));
		this.changes.requireSameAction(change, call, this.name);
		List<String> wrong = mismatches(action, change, true);
		if (!wrong.isEmpty()) {
			throw refused("target '" + this.name + "' does not show " + action.type() + ": " + String.join("; ", wrong));
		}
	}

	/**
	 * What differs between Keycloak now and the after-state of {@code change}; empty when it shows it. With
	 * {@code tokens}, also what a real token request shows: a role that came back through a composite or a group.
	 */
	private List<String> mismatches(StagedAction action, Change change, boolean tokens) {
		List<String> wrong = new ArrayList<>();
		JsonNode before = read(change.beforeState());
		JsonNode after = read(change.afterState());
		if (CREDENTIAL_ROTATE.equals(action.type())) {
			String client = before.path("client").asText();
			ClientSecret current = this.admin.readSecret(client);
			if (!after.path("secret").asText().equals(fingerprint(current))) {
				wrong.add("client '" + client + "' holds another secret than the one delivered to the secret sink");
			}
			else if (tokens && !this.admin.tokenRequest(client, current.value()).issued()) {
				wrong.add("client '" + client + "' gets no token with its secret");
			}
			if (this.admin.rotatedSecretValidUntil(client).isPresent()) {
				wrong.add("client '" + client + "' still has a rotated secret");
			}
		}
		else if (PRIVILEGES_REDUCE.equals(action.type())) {
			after.path("removed").properties().forEach(entry -> {
				String client = entry.getKey();
				List<String> removed = new ArrayList<>(privileges(rolesOf(entry.getValue())));
				List<String> still = new ArrayList<>(removed);
				still.retainAll(privileges(this.admin.serviceAccountRoles(client)));
				if (!still.isEmpty()) {
					wrong.add("client '" + client + "' holds " + still);
				}
				else if (tokens && !removed.isEmpty()) {
					TokenResult token = this.admin.tokenRequest(client, this.admin.readSecret(client).value());
					List<String> inToken = new ArrayList<>(removed);
					inToken.retainAll(privileges(token));
					if (token.issued() && !inToken.isEmpty()) {
						wrong.add("tokens of client '" + client + "' still carry " + inToken);
					}
				}
			});
		}
		else {
			boolean enabled = after.path("enabled").asBoolean();
			before.path("enabled").properties().forEach(entry -> {
				String client = entry.getKey();
				if (existing(client).enabled() != enabled) {
					wrong.add("client '" + client + "' is " + (enabled ? "disabled" : "enabled"));
				}
				else if (tokens
						&& this.admin.tokenRequest(client, this.admin.readSecret(client).value()).issued() != enabled) {
					wrong.add("client '" + client + "' " + (enabled ? "gets no token" : "still gets a token"));
				}
			});
		}
		return wrong;
	}

	/**
	 * Undoes the change applied under {@code call.idempotencyKey()}, once. Nothing applied (or undone already):
	 * nothing happens. Keycloak no longer shows what this change left (the client enabled again, a role mapped back,
	 * another secret): refused, nothing restored, since restoring would overwrite that.
	 */
	@Override
	public void rollback(ConnectorCall call) {
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		StagedAction action = handled(call.action());
		this.changes.undoOnce(call, this.name, this.savepoint, change -> changedSince(action, change), change -> {
			JsonNode before = read(change.beforeState());
			JsonNode after = read(change.afterState());
			if (CREDENTIAL_ROTATE.equals(action.type())) {
				undoRotation(before.path("client").asText());
			}
			else if (PRIVILEGES_REDUCE.equals(action.type())) {
				after.path("removed").properties().forEach(entry -> {
					ServiceAccountRoles removed = rolesOf(entry.getValue());
					this.admin.addRealmRoles(entry.getKey(), removed.realmRoles());
					removed.clientRoles()
						.forEach((owner, names) -> this.admin.addClientRoles(entry.getKey(), owner, names));
				});
			}
			else {
				boolean enabled = after.path("enabled").asBoolean();
				for (String client : texts(after.path("changed"))) {
					deliverIfReplaced(client, this.admin.setEnabled(client, !enabled));
				}
			}
		});
	}

	/** Where undo would write: does Keycloak still show what the change left? Token requests are not needed here. */
	private List<String> changedSince(StagedAction action, Change change) {
		if (CREDENTIAL_ROTATE.equals(action.type())) {
			return mismatches(action, change, false);
		}
		List<String> wrong = new ArrayList<>();
		JsonNode after = read(change.afterState());
		if (PRIVILEGES_REDUCE.equals(action.type())) {
			after.path("removed").properties().forEach(entry -> {
				List<String> back = new ArrayList<>(privileges(rolesOf(entry.getValue())));
				back.retainAll(privileges(this.admin.serviceAccountRoles(entry.getKey())));
				if (!back.isEmpty()) {
					wrong.add("client '" + entry.getKey() + "' holds " + back + " again");
				}
			});
		}
		else {
			boolean enabled = after.path("enabled").asBoolean();
			for (String client : texts(after.path("changed"))) {
				if (existing(client).enabled() != enabled) {
					wrong.add("client '" + client + "' is " + (enabled ? "disabled" : "enabled") + " again");
				}
			}
		}
		return wrong;
	}

	/**
	 * Undoes a rotation by rotating again, with the new secret delivered to the sink, rather than by putting the old
	 * secret back: that would need the old secret stored until the undo, which Countersign never does, and the old
	 * secret is usually the suspect one. Consumers lose nothing: the sink holds the secret that works.
	 */
	private void undoRotation(String client) {
		regenerateAndFinish(client, this.admin.readSecret(client));
	}


	/** The clients an action changes: the credential's, or every client of the identity. */
	private List<String> clients(StagedAction action) {
		String identityId = action.textParameter("identity");
		Identity identity = this.inventory.getObject()
			.find(identityId)
			.orElseThrow(() -> refused("identity '" + identityId + "' is not in the inventory"));
		if (!this.name.equals(identity.target())) {
			throw refused("identity '" + identityId + "' is on target '" + identity.target() + "', not '" + this.name
					+ "'");
		}
		List<String> clients;
		if (ActionTypes.ON_CREDENTIAL.contains(action.type())) {
			String credential = action.textParameter("credential");
			if (identity.credential(credential) == null) {
				throw refused("'" + credential + "' is not a credential of identity '" + identityId + "'");
			}
			clients = List.of(credential);
		}
		else {
			clients = identity.credentials().stream().map(Identity.Credential::id).toList();
			if (clients.isEmpty()) {
				throw refused("identity '" + identityId + "' has no client on target '" + this.name + "'");
			}
		}
		KeycloakTarget target = this.admin.target();
		for (String client : clients) {
			if (client.equals(target.clientId()) && target.realm().equals(target.authRealm())) {
				throw refused("client '" + client + "' is the client target '" + this.name + "' logs in as");
			}
			if (!existing(client).isServiceAccount()) {
				throw refused("client '" + client + "' on target '" + this.name
						+ "' is not a confidential client with a service account");
			}
		}
		return clients;
	}

	private KeycloakClient existing(String client) {
		return this.admin.findClient(client)
			.orElseThrow(() -> refused("client '" + client + "' does not exist on target '" + this.name + "'"));
	}



	private StagedAction handled(StagedAction action) {
		if (!DISABLING.contains(action.type()) && !ENABLING.contains(action.type())
				&& !PRIVILEGES_REDUCE.equals(action.type()) && !CREDENTIAL_ROTATE.equals(action.type())) {
			throw refused("target '" + this.name + "' (keycloak) does not handle action type '" + action.type() + "'");
		}
		return action;
	}

	/**
	 * The clients with a service account, each an identity of its own named by its {@code clientId}, with itself as
	 * its one credential (a client secret, ACTIVE or DISABLED as the client is) and its service account's roles as
	 * privileges. Secrets are not read: the credential's fingerprint stands for the time Keycloak generated the secret
	 * (see {@link #secretVersion}), so a secret regenerated outside Countersign shows as drift, as do a disabled client
	 * and a role granted there.
	 */
	@Override
	public List<Discovered> discover() {
		try {
			KeycloakTarget target = this.admin.target();
			return this.admin.listClients()
				.stream()
				.filter(KeycloakClient::isServiceAccount)
				.filter(client -> !(client.clientId().equals(target.clientId())
						&& target.realm().equals(target.authRealm())))
				.map(client -> new Discovered(client.clientId(),
						"Keycloak client " + client.clientId() + " in realm " + target.realm(),
						List.copyOf(privileges(this.admin.serviceAccountRoles(client.clientId()))),
						List.of(new DiscoveredCredential(client.clientId(), CredentialKind.CLIENT_SECRET,
								client.enabled() ? CredentialStatus.ACTIVE : CredentialStatus.DISABLED,
								secretVersion(client)))))
				.toList();
		}
		catch (KeycloakUnavailableException ex) {
			throw new ConnectorException("target '" + this.name + "' cannot be listed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Which secret the client holds, from when Keycloak generated it: a new secret is a new fingerprint, so a secret
	 * regenerated outside Countersign shows as drift. Derived from the time only, never from the secret. {@code null}
	 * when Keycloak keeps no such time (a secret an administrator set by hand).
	 */
	private static String secretVersion(KeycloakClient client) {
		String created = client.secretCreatedAt();
		return (created == null || created.isBlank()) ? null
				: StagedAction.sha256("keycloak client secret of " + client.clientId() + " generated at " + created);
	}

	/** The privileges a service account holds directly: realm roles by name, client roles as clientId/role. */
	static Set<String> privileges(ServiceAccountRoles roles) {
		Set<String> privileges = new TreeSet<>(roles.realmRoles());
		roles.clientRoles().forEach((owner, names) -> names.forEach(role -> privileges.add(owner + "/" + role)));
		return privileges;
	}

	private static Set<String> privileges(TokenResult token) {
		Set<String> privileges = new TreeSet<>(token.realmRoles());
		token.clientRoles().forEach((owner, names) -> names.forEach(role -> privileges.add(owner + "/" + role)));
		return privileges;
	}

	/** Which role a privilege names, among those the service account holds; ambiguity is refused. */
	private static Role resolve(ServiceAccountRoles roles, String privilege) {
		List<Role> matches = new ArrayList<>();
		if (roles.realmRoles().contains(privilege)) {
			matches.add(new Role(null, privilege));
		}
		roles.clientRoles().forEach((owner, names) -> names.stream()
			.filter(role -> (owner + "/" + role).equals(privilege))
			.forEach(role -> matches.add(new Role(owner, role))));
		if (matches.size() > 1) {
			throw refused("privilege '" + privilege + "' names both a realm role and a client role");
		}
		if (matches.isEmpty()) {
			throw refused("privilege '" + privilege + "' is not held");
		}
		return matches.get(0);
	}

	private static String fingerprint(ClientSecret secret) {
		return StagedAction.sha256(secret.value());
	}

	private ObjectNode read(String text) {
		return TargetChanges.readState(this.json, this.name, text);
	}

	private String write(JsonNode node) {
		return TargetChanges.writeState(this.json, node);
	}

	private static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		array.forEach(element -> texts.add(element.asText()));
		return texts;
	}

	private static ConnectorException refused(String message) {
		return new ConnectorException(message);
	}

	/** A realm role ({@code client} null) or a role of the client with that {@code clientId}. */
	private record Role(String client, String name) {
	}

	/** The privileges an {@code identity.privileges.reduce} takes away and the ones its approvers saw stay. */
	private record Reduction(List<String> remove, List<String> keep) {

		static Reduction of(StagedAction action) {
			List<String> remove = array(action, "remove");
			List<String> keep = array(action, "keep");
			if (remove.isEmpty()) {
				throw refused("identity.privileges.reduce removes at least one role");
			}
			List<String> both = new ArrayList<>(remove);
			both.retainAll(keep);
			if (!both.isEmpty()) {
				throw refused("identity.privileges.reduce both removes and keeps " + both);
			}
			return new Reduction(remove, keep);
		}

		private static List<String> array(StagedAction action, String name) {
			JsonNode value = action.parameters().get(name);
			if (value == null || !value.isArray()) {
				throw refused(action.type() + " needs an array parameter '" + name + "'");
			}
			Set<String> texts = new LinkedHashSet<>();
			for (JsonNode element : value) {
				if (!element.isTextual() || element.asText().isBlank()) {
					throw refused(action.type() + " parameter '" + name + "' holds something other than text");
				}
				texts.add(element.asText());
			}
			return List.copyOf(texts);
		}

	}

}
