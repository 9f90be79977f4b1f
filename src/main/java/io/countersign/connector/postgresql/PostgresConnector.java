package io.countersign.connector.postgresql;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.ActionConnector;
import io.countersign.action.ActionTypes;
import io.countersign.action.ConnectorCall;
import io.countersign.action.ConnectorException;
import io.countersign.action.StagedAction;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.receipt.ReceiptVerifier;
import io.countersign.secret.SecretMaterial;
import io.countersign.secret.SecretSink;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.target.TargetChanges;
import io.countersign.target.TargetDiscovery;
import io.countersign.target.TargetChanges.Change;
import io.countersign.target.TargetChanges.Status;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out approved actions on the login roles of one PostgreSQL target ({@code countersign.targets.<name>.type
 * = postgresql}).
 *
 * <p>
 * <b>Mapping.</b> An identity on this target is a set of login roles: each of its credential ids is the name of a
 * login role. Its privileges are the roles those login roles are direct members of ("the privileges of a PostgreSQL
 * identity are the roles it is a member of"), so {@code identity.privileges.reduce} revokes memberships.
 *
 * <p>
 * <b>Actions.</b>
 * <ul>
 * <li>{@code credential.rotate}: a new random password, delivered to the {@link SecretSink} and set as a SCRAM
 * verifier; Countersign keeps only fingerprints.</li>
 * <li>{@code credential.suspend}, {@code credential.disable} (the credential's role), {@code identity.suspend},
 * {@code identity.quarantine} (every login role of the identity): NOLOGIN, then every session of the role ended.</li>
 * <li>{@code credential.enable}, {@code identity.release}: LOGIN.</li>
 * <li>{@code identity.privileges.reduce}: the memberships in {@code remove} are revoked; {@code keep} must be held
 * and stays.</li>
 * </ul>
 * Any other type is refused at stage, naming the type and the target.
 *
 * <p>
 * <b>Journal.</b> Every apply follows {@link TargetChanges}: the receipt is verified and spent in the caller's
 * transaction before the role is touched, the before-state is committed as PENDING, the role is changed, and the
 * change becomes APPLIED with the spent receipt. A retry of a PENDING change reconciles by reading the role and
 * finishes only what is not done yet, so the role changes once. Undo flips APPLIED to UNDONE once, refuses when the
 * role no longer shows this change's after-state (someone changed it since), and restores the journalled
 * before-state.
 *
 * <p>
 * <b>Rotation.</b> The material goes to the sink <em>before</em> the server gets its verifier, and the PENDING row
 * holds the fingerprint of that verifier: a retry that finds the server holding it knows the material was delivered,
 * and records the rotation instead of rotating again; one that does not starts afresh with new material (the sink's
 * last delivery wins). Verify compares the role's stored verifier with the one the apply set (and apply checks the
 * material against the stored verifier right after setting it). Undo does not restore the old password: it rotates
 * again, with new material to the sink. See {@link #undoRotation}.
 */
class PostgresConnector implements ActionConnector, TargetDiscovery {

	private static final Set<String> LOGIN_OFF = Set.of(CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE, IDENTITY_SUSPEND,
			IDENTITY_QUARANTINE);

	private static final Set<String> LOGIN_ON = Set.of(CREDENTIAL_ENABLE, IDENTITY_RELEASE);

	private final String name;

	private final PostgresTarget target;

	private final PostgresRoles roles;

	private final TargetChanges changes;

	private final ReceiptVerifier receipts;

	private final SecretSink sink;

	private final ObjectProvider<Inventory> inventory;

	private final ObjectMapper json;

	private final TransactionTemplate savepoint;

	PostgresConnector(String name, PostgresTarget target, PostgresRoles roles, TargetChanges changes,
			ReceiptVerifier receipts, SecretSink sink, ObjectProvider<Inventory> inventory,
			PlatformTransactionManager transactionManager, ObjectMapper json) {
		this.name = name;
		this.target = target;
		this.roles = roles;
		this.changes = changes;
		this.receipts = receipts;
		this.sink = sink;
		this.inventory = inventory;
		this.json = json;
		// As the inventory connector: a refusal undoes the receipt's use and leaves the job's transaction usable.
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
		List<String> loginRoles = loginRoles(action);
		Map<String, RoleState> states = new LinkedHashMap<>();
		for (String role : loginRoles) {
			states.put(role, existing(role));
		}
		if (CREDENTIAL_ROTATE.equals(action.type())) {
			RoleState state = states.get(loginRoles.get(0));
			if (state.password().kind() == PasswordVerifier.Kind.UNREADABLE) {
				throw refused("a rotation of role '" + state.role() + "' could not be verified on target '"
						+ this.name + "': " + state.password().unreadableReason());
			}
		}
		else if (PRIVILEGES_REDUCE.equals(action.type())) {
			Reduction reduction = Reduction.of(action);
			Set<String> held = new LinkedHashSet<>();
			states.values().forEach(state -> held.addAll(state.memberOf()));
			List<String> missing = new ArrayList<>(reduction.remove());
			missing.addAll(reduction.keep());
			missing.removeAll(held);
			if (!missing.isEmpty()) {
				throw refused("the login roles " + loginRoles + " on target '" + this.name
						+ "' are not members of " + missing);
			}
		}
	}

	/**
	 * Verifies and spends the receipt, then changes the role(s) under the journal's protocol; a key already APPLIED
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
		try {
			this.savepoint.executeWithoutResult(status -> {
				this.receipts.verifyAndConsume(call.receipt(), call.responseId(), action.fingerprint(), this.name);
				if (CREDENTIAL_ROTATE.equals(action.type())) {
					rotate(call, journalled);
				}
				else if (PRIVILEGES_REDUCE.equals(action.type())) {
					reduce(call, journalled);
				}
				else {
					switchLogin(call, journalled);
				}
			});
		}
		catch (PostgresRoleException ex) {
			// Refused before anything was sent (its own login): a business outcome. Server faults stay technical,
			// so the job retries under the same key and reconciles.
			if (ex.getSqlState() == null) {
				throw new ConnectorException(ex.getMessage(), ex);
			}
			throw ex;
		}
	}

	private void switchLogin(ConnectorCall call, Optional<Change> journalled) {
		boolean login = LOGIN_ON.contains(call.action().type());
		ObjectNode before;
		if (journalled.isPresent()) {
			// Reconcile: the before-state is the one journalled before the crash, not what the role shows now.
			before = read(journalled.get().beforeState());
		}
		else {
			before = this.json.createObjectNode();
			ObjectNode canLogin = before.putObject("canLogin");
			for (String role : loginRoles(call.action())) {
				canLogin.put(role, existing(role).canLogin());
			}
			this.changes.pending(call, this.name, write(before));
		}
		List<String> changed = new ArrayList<>();
		before.path("canLogin").properties().forEach(entry -> {
			String role = entry.getKey();
			if (entry.getValue().asBoolean() != login) {
				changed.add(role);
			}
			boolean now = existing(role).canLogin();
			if (now != login) {
				if (login) {
					this.roles.enable(role);
				}
				else {
					this.roles.disable(role);
				}
			}
			else if (!login) {
				// NOLOGIN already (by an earlier attempt, a containment, someone else): sessions must end anyway.
				this.roles.terminateSessions(role);
			}
		});
		ObjectNode after = this.json.createObjectNode();
		after.put("canLogin", login);
		after.set("changed", this.json.valueToTree(changed));
		this.changes.applied(call.idempotencyKey(), write(after));
	}

	private void reduce(ConnectorCall call, Optional<Change> journalled) {
		Reduction reduction = Reduction.of(call.action());
		ObjectNode before;
		if (journalled.isPresent()) {
			before = read(journalled.get().beforeState());
		}
		else {
			before = this.json.createObjectNode();
			ObjectNode memberOf = before.putObject("memberOf");
			for (String role : loginRoles(call.action())) {
				memberOf.set(role, this.json.valueToTree(existing(role).memberOf()));
			}
			this.changes.pending(call, this.name, write(before));
		}
		ObjectNode revoked = this.json.createObjectNode();
		before.path("memberOf").properties().forEach(entry -> {
			String role = entry.getKey();
			List<String> held = texts(entry.getValue());
			List<String> revoke = new ArrayList<>(reduction.remove());
			revoke.retainAll(held);
			// Only what is still there: after a crash part of it may be gone already.
			this.roles.revokeMemberships(role, revoke);
			revoked.set(role, this.json.valueToTree(revoke));
		});
		ObjectNode after = this.json.createObjectNode();
		after.set("revoked", revoked);
		this.changes.applied(call.idempotencyKey(), write(after));
	}

	private void rotate(ConnectorCall call, Optional<Change> journalled) {
		String role = loginRoles(call.action()).get(0);
		if (journalled.isPresent()) {
			ObjectNode before = read(journalled.get().beforeState());
			String planned = before.path("plannedVerifier").asText();
			if (planned.equals(existing(role).password().fingerprint())) {
				// The server holds the planned verifier, and the material went to the sink before it: record it.
				ObjectNode after = this.json.createObjectNode();
				after.put("verifier", planned);
				after.put("material", before.path("plannedMaterial").asText());
				this.changes.applied(call.idempotencyKey(), write(after));
				return;
			}
			// That attempt never reached the server: start afresh (a sink may hold its material; the next wins).
			this.changes.abandon(call.idempotencyKey());
		}
		RotatedPassword planned = this.roles.plan(role);
		ObjectNode before = this.json.createObjectNode();
		before.put("role", role);
		before.put("verifier", existing(role).password().fingerprint());
		before.put("plannedVerifier", planned.verifierFingerprint());
		before.put("plannedMaterial", planned.fingerprint());
		this.changes.pending(call, this.name, write(before));
		setAndDeliver(planned);
		ObjectNode after = this.json.createObjectNode();
		after.put("verifier", planned.verifierFingerprint());
		after.put("material", planned.fingerprint());
		this.changes.applied(call.idempotencyKey(), write(after));
	}

	/** Sink first, then the server: the material is never active on the server without its consumers having it. */
	private void setAndDeliver(RotatedPassword planned) {
		SecretMaterial material = SecretMaterial.of(planned.material());
		try {
			this.sink.deliver(this.name, planned.role(), material);
		}
		finally {
			material.destroy();
		}
		this.roles.setPassword(planned);
		if (!this.roles.verifyPassword(planned.role(), planned.material())) {
			throw refused("role '" + planned.role() + "' on target '" + this.name
					+ "' does not hold the password just set: something changed it at the same time");
		}
	}

	/**
	 * Checks the receipt is for this action (without spending it), then that the role(s) show the journalled
	 * after-state.
	 */
	@Override
	public void verify(ConnectorCall call) {
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		StagedAction action = handled(call.action());
		Change change = this.changes.find(call.idempotencyKey())
			.filter(c -> c.status() == Status.APPLIED)
			.orElseThrow(() -> refused("nothing is applied under idempotency key '" + call.idempotencyKey() + "'"));
		this.changes.requireSameAction(change, call, this.name);
		List<String> wrong = mismatches(action, change);
		if (!wrong.isEmpty()) {
			throw refused("target '" + this.name + "' does not show " + action.type() + ": " + String.join("; ", wrong));
		}
	}

	/** What differs between the role(s) now and the after-state of {@code change}; empty when they show it. */
	private List<String> mismatches(StagedAction action, Change change) {
		List<String> wrong = new ArrayList<>();
		JsonNode before = read(change.beforeState());
		JsonNode after = read(change.afterState());
		if (CREDENTIAL_ROTATE.equals(action.type())) {
			String role = before.path("role").asText();
			if (!after.path("verifier").asText().equals(existing(role).password().fingerprint())) {
				wrong.add("role '" + role + "' holds another password than the one delivered to the secret sink");
			}
		}
		else if (PRIVILEGES_REDUCE.equals(action.type())) {
			List<String> remove = Reduction.of(action).remove();
			before.path("memberOf").properties().forEach(entry -> {
				List<String> still = new ArrayList<>(remove);
				still.retainAll(existing(entry.getKey()).memberOf());
				if (!still.isEmpty()) {
					wrong.add("role '" + entry.getKey() + "' is a member of " + still);
				}
			});
		}
		else {
			boolean login = after.path("canLogin").asBoolean();
			before.path("canLogin").properties().forEach(entry -> {
				String role = entry.getKey();
				if (existing(role).canLogin() != login) {
					wrong.add("role '" + role + "' is " + (login ? "NOLOGIN" : "LOGIN"));
				}
				int sessions = login ? 0 : this.roles.sessions(role);
				if (sessions > 0) {
					wrong.add("role '" + role + "' has " + sessions + " session(s) open");
				}
			});
		}
		return wrong;
	}

	/**
	 * Undoes the change applied under {@code call.idempotencyKey()}, once. Nothing was applied (or it was undone
	 * already): nothing happens. The role no longer shows what this change left (someone re-enabled it, granted a
	 * membership back, set another password): refused, nothing restored, since restoring would overwrite that.
	 */
	@Override
	public void rollback(ConnectorCall call) {
		this.receipts.verifyForUndo(call.receipt(), call.responseId(), call.action().fingerprint());
		StagedAction action = handled(call.action());
		this.changes.undoOnce(call, this.name, this.savepoint, change -> changedSince(action, change), change -> {
			JsonNode before = read(change.beforeState());
			JsonNode after = read(change.afterState());
			if (CREDENTIAL_ROTATE.equals(action.type())) {
				undoRotation(before.path("role").asText());
			}
			else if (PRIVILEGES_REDUCE.equals(action.type())) {
				after.path("revoked").properties()
					.forEach(entry -> this.roles.grantMemberships(entry.getKey(), texts(entry.getValue())));
			}
			else {
				boolean login = after.path("canLogin").asBoolean();
				for (String role : texts(after.path("changed"))) {
					if (login) {
						this.roles.disable(role);
					}
					else {
						this.roles.enable(role);
					}
				}
			}
		});
	}

	/** Whether the role(s) still show what the change left, where undo would write. */
	private List<String> changedSince(StagedAction action, Change change) {
		if (CREDENTIAL_ROTATE.equals(action.type())) {
			return mismatches(action, change);
		}
		List<String> wrong = new ArrayList<>();
		JsonNode after = read(change.afterState());
		if (PRIVILEGES_REDUCE.equals(action.type())) {
			after.path("revoked").properties().forEach(entry -> {
				List<String> back = new ArrayList<>(texts(entry.getValue()));
				back.retainAll(existing(entry.getKey()).memberOf());
				if (!back.isEmpty()) {
					wrong.add("role '" + entry.getKey() + "' is a member of " + back + " again");
				}
			});
		}
		else {
			boolean login = after.path("canLogin").asBoolean();
			for (String role : texts(after.path("changed"))) {
				if (existing(role).canLogin() != login) {
					wrong.add("role '" + role + "' is " + (login ? "NOLOGIN" : "LOGIN") + " again");
				}
			}
		}
		return wrong;
	}

	/**
	 * Undoes a rotation by rotating again, with new material delivered to the sink, rather than by restoring the old
	 * password. Restoring would need the old SCRAM verifier kept in the journal until the undo: not the password, but
	 * enough to brute-force a weak one offline, and (StoredKey and ServerKey) to pose as the server to its clients or,
	 * with one observed login, to log in as the role. And a rotation is usually asked for because the old password is
	 * suspect: putting a suspect password back is the opposite of what undoing a security action should do. Consumers
	 * lose nothing: the sink is where they read the password, and it holds the one that works.
	 */
	private void undoRotation(String role) {
		setAndDeliver(this.roles.plan(role));
	}


	/** The login roles an action changes: the credential's, or every login role of the identity. */
	private List<String> loginRoles(StagedAction action) {
		String identityId = action.textParameter("identity");
		Identity identity = this.inventory.getObject()
			.find(identityId)
			.orElseThrow(() -> refused("identity '" + identityId + "' is not in the inventory"));
		if (!this.name.equals(identity.target())) {
			throw refused("identity '" + identityId + "' is on target '" + identity.target() + "', not '" + this.name
					+ "'");
		}
		List<String> names;
		if (ActionTypes.ON_CREDENTIAL.contains(action.type())) {
			String credential = action.textParameter("credential");
			if (identity.credential(credential) == null) {
				throw refused("'" + credential + "' is not a credential of identity '" + identityId + "'");
			}
			names = List.of(credential);
		}
		else {
			names = identity.credentials().stream().map(Identity.Credential::id).toList();
			if (names.isEmpty()) {
				throw refused("identity '" + identityId + "' has no login role on target '" + this.name + "'");
			}
		}
		for (String role : names) {
			if (!PostgresRoles.ROLE_NAME.matcher(role).matches()) {
				throw refused("credential '" + role + "' of identity '" + identityId + "' is not a PostgreSQL role name");
			}
			if (role.equals(this.target.username())) {
				throw refused("role '" + role + "' is the role target '" + this.name + "' connects as");
			}
		}
		return names;
	}

	private RoleState existing(String role) {
		RoleState state = this.roles.describe(role);
		if (!state.exists()) {
			throw refused("role '" + role + "' does not exist on target '" + this.name + "'");
		}
		return state;
	}



	private StagedAction handled(StagedAction action) {
		if (!LOGIN_OFF.contains(action.type()) && !LOGIN_ON.contains(action.type())
				&& !PRIVILEGES_REDUCE.equals(action.type()) && !CREDENTIAL_ROTATE.equals(action.type())) {
			throw refused("target '" + this.name + "' (postgresql) does not handle action type '" + action.type()
					+ "'");
		}
		return action;
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

	/** The memberships an {@code identity.privileges.reduce} takes away and the ones its approvers saw stay. */
	private record Reduction(List<String> remove, List<String> keep) {

		static Reduction of(StagedAction action) {
			List<String> remove = array(action, "remove");
			List<String> keep = array(action, "keep");
			if (remove.isEmpty()) {
				throw refused("identity.privileges.reduce removes at least one membership");
			}
			List<String> both = new ArrayList<>(remove);
			both.retainAll(keep);
			if (!both.isEmpty()) {
				throw refused("identity.privileges.reduce both removes and keeps " + both);
			}
			for (String role : remove) {
				if (!PostgresRoles.ROLE_NAME.matcher(role).matches()) {
					throw refused("identity.privileges.reduce names a membership that is not a PostgreSQL role name");
				}
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

	/**
	 * Each login role is an identity of its own, with itself as its one credential (a password) and the roles it is a
	 * direct member of as its privileges. The credential's fingerprint is that of its stored SCRAM verifier, so a
	 * password changed outside Countersign shows as drift.
	 */
	@Override
	public List<Discovered> discover() {
		try {
			return this.roles.loginRoles()
				.stream()
				.map(role -> new Discovered(role.role(), "PostgreSQL login role " + role.role(), role.memberOf(),
						List.of(new DiscoveredCredential(role.role(), CredentialKind.PASSWORD,
								role.canLogin() ? CredentialStatus.ACTIVE : CredentialStatus.DISABLED,
								role.password().fingerprint()))))
				.toList();
		}
		catch (PostgresRoleException ex) {
			throw new ConnectorException("target '" + this.name + "' cannot be listed: " + ex.getMessage(), ex);
		}
	}

}
