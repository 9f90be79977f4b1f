package io.countersign.action;

import java.util.List;
import java.util.Set;

/**
 * The action types the playbooks stage, and the parameters each carries. The approval policy
 * ({@code bpmn/approval-policy.dmn}) names these types; an action on an identity goes to the connector of the
 * identity's target ({@code io.countersign.target.Targets}), which may implement any of them.
 */
public final class ActionTypes {

	/** Containment before approval: {@code identity}, {@code credential}. ACTIVE becomes SUSPENDED. */
	public static final String CREDENTIAL_SUSPEND = "credential.suspend";

	/** Revocation: {@code identity}, {@code credential}. ACTIVE or SUSPENDED becomes DISABLED. */
	public static final String CREDENTIAL_DISABLE = "credential.disable";

	/** Restore after revocation: {@code identity}, {@code credential}. DISABLED or SUSPENDED becomes ACTIVE. */
	public static final String CREDENTIAL_ENABLE = "credential.enable";

	/**
	 * Rotation: {@code identity}, {@code credential}, {@code fromVersion} (the inventory's current version when it was
	 * staged: what the approvers saw in use) and {@code toVersion} (the version the rotation records). The connector
	 * makes new material, sets it at the target, hands it to the secret sink ({@code io.countersign.secret}) and
	 * records only its fingerprint; a connector refuses the rotation when the credential moved on from
	 * {@code fromVersion}. Rollback makes {@code fromVersion} current again.
	 */
	public static final String CREDENTIAL_ROTATE = "credential.rotate";

	/**
	 * Privilege reduction: {@code identity}, {@code remove} (array of privileges to take away, each currently held),
	 * {@code keep} (array, what stays). Rollback grants {@code remove} again.
	 */
	public static final String PRIVILEGES_REDUCE = "identity.privileges.reduce";

	/** Containment before approval: {@code identity}. ACTIVE becomes SUSPENDED. */
	public static final String IDENTITY_SUSPEND = "identity.suspend";

	/** {@code identity}. ACTIVE or SUSPENDED becomes QUARANTINED. */
	public static final String IDENTITY_QUARANTINE = "identity.quarantine";

	/** Release from quarantine: {@code identity}. QUARANTINED becomes ACTIVE. */
	public static final String IDENTITY_RELEASE = "identity.release";

	/**
	 * {@code identity}, {@code workload} (the name of one of the identity's consumers), {@code customerFacing}
	 * (boolean, as the responder confirmed it). The consumer becomes isolated.
	 */
	public static final String WORKLOAD_ISOLATE = "workload.isolate";

	/**
	 * {@code identity}, {@code trust} (the id of a FEDERATED_TRUST credential), {@code partnerCredentials} (array of
	 * the identity's other credential ids). All of them become DISABLED; rollback re-enables the ones that were
	 * ACTIVE before.
	 */
	public static final String FEDERATION_DISABLE = "federation.disable";

	/**
	 * A countersigned change to Countersign's own models: {@code changeId}, {@code resources} (the complete model set
	 * to deploy, resource name to {@code sha256:} of its content). Always carried out by the {@value #MODEL_CONNECTOR}
	 * connector; not one of {@link #ALL}, which are the actions on non-human identities.
	 */
	public static final String MODEL_DEPLOY = "model.deploy";

	/** The only connector that deploys models; configuration cannot route {@link #MODEL_DEPLOY} anywhere else. */
	public static final String MODEL_CONNECTOR = "model-change";

	/** Actions on one credential (parameter {@code credential}); the others act on the whole identity. */
	public static final Set<String> ON_CREDENTIAL = Set.of(CREDENTIAL_ROTATE, CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE,
			CREDENTIAL_ENABLE);

	public static final List<String> ALL = List.of(CREDENTIAL_SUSPEND, CREDENTIAL_DISABLE, CREDENTIAL_ENABLE,
			CREDENTIAL_ROTATE, PRIVILEGES_REDUCE, IDENTITY_SUSPEND, IDENTITY_QUARANTINE, IDENTITY_RELEASE, WORKLOAD_ISOLATE,
			FEDERATION_DISABLE);

	private ActionTypes() {
	}

}
