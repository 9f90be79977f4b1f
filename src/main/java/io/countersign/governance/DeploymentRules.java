package io.countersign.governance;

import java.util.concurrent.atomic.AtomicBoolean;

import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Who may change the models the engine runs. With direct deployments off (the prod profile), nobody deploys,
 * redeploys or deletes a deployment through engine-rest, the webapps or any other channel: the packaged models go in
 * while the application starts, and afterwards only countersigned model changes do. Nobody may be granted the right to
 * deploy either, since a grant is the first step of a direct deployment wherever the rule is ever relaxed.
 */
@Component
class DeploymentRules {

	static final String RULE = "countersigned-model-change";

	private final boolean directDeployments;

	private final AtomicBoolean started = new AtomicBoolean();

	DeploymentRules(@Value("${countersign.model-changes.direct-deployments:true}") boolean directDeployments) {
		this.directDeployments = directDeployments;
	}

	@EventListener(ApplicationReadyEvent.class)
	void started() {
		this.started.set(true);
	}

	boolean directDeployments() {
		return this.directDeployments;
	}

	/**
	 * @param actor the authenticated user, or null for Countersign's own code
	 * @return why this deployment change is refused, or null when it may go ahead
	 */
	String refusal(String actor, String what) {
		if (this.directDeployments || CountersignedDeployment.current() != null) {
			return null;
		}
		// The packaged models are deployed by the engine itself while the application starts, with nobody signed in.
		if (actor == null && !this.started.get()) {
			return null;
		}
		return what + " is refused: models change here only through a countersigned model change "
				+ "(POST /api/v1/model-changes, approved by a second person); rule '" + RULE + "'";
	}

	/** A grant or global authorization that hands out the right to create or delete deployments. */
	String grantRefusal(Authorization authorization) {
		if (this.directDeployments || CountersignedDeployment.current() != null || !this.started.get()) {
			return null;
		}
		boolean deploymentResource = authorization.getResourceType() == Resources.DEPLOYMENT.resourceType();
		boolean grants = authorization.getAuthorizationType() != Authorization.AUTH_TYPE_REVOKE;
		boolean deployRights = authorization.isPermissionGranted(Permissions.ALL)
				|| authorization.isPermissionGranted(Permissions.CREATE)
				|| authorization.isPermissionGranted(Permissions.DELETE);
		if (deploymentResource && grants && deployRights) {
			return "granting CREATE or DELETE on deployments is refused: models change here only through a "
					+ "countersigned model change; rule '" + RULE + "'";
		}
		return null;
	}

	static AuthorizationException refused(String message) {
		return new AuthorizationException(message);
	}

}
