package io.countersign.inventory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.countersign.action.StagedAction;
import io.countersign.inventory.IdentityUpsertRequest.ConsumerRequest;
import io.countersign.inventory.IdentityUpsertRequest.CredentialRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Seeds a few realistic identities for the embedded default, once: an identity that already
 * exists is left as the demo user changed it.
 */
@Component
@ConditionalOnProperty(name = "countersign.demo.enabled", havingValue = "true")
class DemoInventory {

	private static final Logger log = LoggerFactory.getLogger(DemoInventory.class);

	private final Inventory inventory;

	DemoInventory(Inventory inventory) {
		this.inventory = inventory;
	}

	@EventListener(ApplicationReadyEvent.class)
	void seed() {
		Instant recently = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(2, ChronoUnit.HOURS);
		seed("svc-ci-deployer", new IdentityUpsertRequest("team-platform", "CI pipeline deploy identity",
				Environment.PRODUCTION, IdentityStatus.ACTIVE, List.of("repo:write", "deploy:production"),
				List.of(new ConsumerRequest("github-actions-deploy", false, recently),
						new ConsumerRequest("release-bot", false, recently.minus(3, ChronoUnit.DAYS))),
				List.of(new CredentialRequest("ci-deployer-token", CredentialKind.ACCESS_TOKEN, CredentialStatus.ACTIVE,
						StagedAction.sha256("demo-ci-deployer-token-v1")))));
		seed("svc-payments", new IdentityUpsertRequest("team-payments", "Payments API service account",
				Environment.PRODUCTION, IdentityStatus.ACTIVE,
				List.of("payments:refund", "payments:read", "ledger:write", "iam:admin"),
				List.of(new ConsumerRequest("checkout-web", true, recently),
						new ConsumerRequest("payments-batch", false, recently.minus(1, ChronoUnit.DAYS))),
				List.of(new CredentialRequest("payments-api-key", CredentialKind.API_KEY, CredentialStatus.ACTIVE,
						StagedAction.sha256("demo-payments-api-key-v1")))));
		seed("svc-reporting", new IdentityUpsertRequest("team-data", "Nightly reporting job", Environment.STAGING,
				IdentityStatus.ACTIVE, List.of("warehouse:read"),
				List.of(new ConsumerRequest("reporting-cron", false, recently.minus(1, ChronoUnit.DAYS))),
				List.of(new CredentialRequest("reporting-db-password", CredentialKind.PASSWORD,
						CredentialStatus.ACTIVE, StagedAction.sha256("demo-reporting-db-password-v1")))));
		seed("svc-partner-sync", new IdentityUpsertRequest("team-integrations",
				"Acme Logistics partner: federated workload identity and its API key", Environment.PRODUCTION,
				IdentityStatus.ACTIVE, List.of("orders:read", "shipments:write"),
				List.of(new ConsumerRequest("acme-shipment-sync", false, recently)),
				List.of(new CredentialRequest("acme-oidc-trust", CredentialKind.FEDERATED_TRUST, CredentialStatus.ACTIVE,
						StagedAction.sha256("demo-acme-oidc-trust")),
						new CredentialRequest("acme-partner-key", CredentialKind.API_KEY, CredentialStatus.ACTIVE,
								StagedAction.sha256("demo-acme-partner-key-v1")))));
	}

	private void seed(String id, IdentityUpsertRequest request) {
		if (this.inventory.find(id).isEmpty()) {
			this.inventory.upsert(id, request);
			log.info("Seeded demo identity {}", id);
		}
	}

}
