package io.countersign.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.countersign.action.ActionConnector;
import io.countersign.action.ConnectorCall;
import io.countersign.action.StagedAction;
import io.countersign.inventory.CredentialKind;
import io.countersign.inventory.CredentialStatus;
import io.countersign.inventory.Identity;
import io.countersign.inventory.Inventory;
import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.TestPropertySource;

/**
 * A sync imports what a target holds and never writes over what approvals made: a credential changed outside
 * Countersign, or privileges granted there, are recorded as drift and left as the inventory has them. The target here
 * is a scripted system behind the same {@link TargetDiscovery} interface the real connectors implement.
 */
@HttpIntegrationTest
@TestPropertySource(properties = { "countersign.targets.scripted.type=webhook",
		"countersign.targets.scripted.owner=platform-team" })
class TargetSyncIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Inventory inventory;

	@Autowired
	Environment environment;

	@Autowired
	List<ActionConnector> connectors;

	ApiClient api;

	ScriptedSystem system;

	TargetSync sync;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
		this.system = new ScriptedSystem();
		TargetConnectorFactory factory = new TargetConnectorFactory() {
			@Override
			public TargetType type() {
				return TargetType.KEYCLOAK;
			}

			@Override
			public ActionConnector connector(String name, TargetConfig config) {
				return TargetSyncIntegrationTest.this.system;
			}
		};
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		beans.addBean("inventory", this.inventory);
		Targets targets = new Targets(new TargetsProperties(Map.of("scripted", new TargetConfig(TargetType.KEYCLOAK,
				null, null, null, null, null, null, null, null, null, null))), this.connectors, List.of(factory),
				beans.getBeanProvider(Inventory.class));
		this.sync = new TargetSync(targets, this.inventory, this.environment);
	}

	@Test
	void shouldImportNewIdentitiesOnTheTargetAsStrictlyAsPossible() {
		String client = "payments-" + UUID.randomUUID();
		this.system.identities.add(discovered(client, List.of("billing:read"), CredentialStatus.ACTIVE, "v1"));

		TargetSync.Report report = this.sync.sync("scripted", "admin");

		assertThat(report.imported()).containsExactly(client);
		Identity imported = this.inventory.find(client).orElseThrow();
		assertThat(imported.target()).isEqualTo("scripted");
		assertThat(imported.environment().json()).isEqualTo("production");
		assertThat(imported.owner()).isEqualTo("platform-team");
		assertThat(imported.privileges()).containsExactly("billing:read");
		assertThat(imported.credential(client).status()).isEqualTo(CredentialStatus.ACTIVE);
	}

	@Test
	void shouldRecordDriftAndKeepWhatApprovalsMade() {
		String client = "reporting-" + UUID.randomUUID();
		this.system.identities.add(discovered(client, List.of("reports:read"), CredentialStatus.ACTIVE, "v1"));
		this.sync.sync("scripted", "admin");
		// Someone changes the system directly: a new secret, more privileges, the client disabled.
		this.system.identities.set(0, discovered(client, List.of("reports:read", "realm-admin"),
				CredentialStatus.DISABLED, "v2"));

		TargetSync.Report report = this.sync.sync("scripted", "admin");

		assertThat(report.drift()).extracting(TargetSync.Drift::field)
			.containsExactlyInAnyOrder("privileges", "credentials[" + client + "].status",
					"credentials[" + client + "].fingerprint");
		Identity kept = this.inventory.find(client).orElseThrow();
		assertThat(kept.privileges()).containsExactly("reports:read");
		assertThat(kept.credential(client).status()).isEqualTo(CredentialStatus.ACTIVE);
		Reply trail = this.api.get("audrey", "/api/v1/audit?after=0&limit=5000");
		assertThat(ApiClient.jsonLines(trail)).anySatisfy(entry -> {
			assertThat(entry.path("type").asText()).isEqualTo("DRIFT_DETECTED");
			assertThat(entry.path("actor").asText()).isEqualTo("admin");
			assertThat(entry.path("data").path("target").asText()).isEqualTo("scripted");
			assertThat(entry.path("data").path("differences").toString()).contains("realm-admin");
		});
	}

	@Test
	void shouldAddCredentialsTheInventoryDidNotKnowAndSkipIdentitiesOfOtherTargets() {
		String client = "ci-" + UUID.randomUUID();
		this.system.identities.add(discovered(client, List.of(), CredentialStatus.ACTIVE, "v1"));
		this.sync.sync("scripted", "admin");
		TargetDiscovery.Discovered withSecond = new TargetDiscovery.Discovered(client, null, List.of(),
				List.of(credential(client, CredentialStatus.ACTIVE, "v1"),
						credential(client + "-2", CredentialStatus.ACTIVE, "w1")));
		this.system.identities.set(0, withSecond);
		String elsewhere = "on-inventory-" + UUID.randomUUID();
		assertThat(this.api.put("scanner", "/api/v1/identities/" + elsewhere, Map.of("owner", "team", "environment",
				"staging")).status()).isEqualTo(200);
		this.system.identities.add(discovered(elsewhere, List.of(), CredentialStatus.ACTIVE, "x"));

		TargetSync.Report report = this.sync.sync("scripted", "admin");

		assertThat(report.updated()).containsExactly(client);
		assertThat(this.inventory.find(client).orElseThrow().credential(client + "-2")).isNotNull();
		assertThat(report.skipped()).singleElement().satisfies(skipped -> {
			assertThat(skipped.identity()).isEqualTo(elsewhere);
			assertThat(skipped.reason()).contains("target 'inventory'");
		});
		assertThat(this.inventory.find(elsewhere).orElseThrow().credentials()).isEmpty();
	}

	@Test
	void shouldSyncAgainCredentialsThatNoFingerprintDescribes() {
		String client = "typed-secret-" + UUID.randomUUID();
		this.system.identities.add(new TargetDiscovery.Discovered(client, null, List.of(), List.of(
				new TargetDiscovery.DiscoveredCredential(client, CredentialKind.CLIENT_SECRET, CredentialStatus.ACTIVE,
						null))));
		this.sync.sync("scripted", "admin");

		TargetSync.Report again = this.sync.sync("scripted", "admin");

		assertThat(again.unchanged()).containsExactly(client);
		assertThat(again.drift()).isEmpty();
	}

	@Test
	void shouldAnswerSyncRequestsOnlyForAdminsAndOnlyForTargetsThatCanList() {
		Reply byIntegrator = this.api.post("scanner", "/api/v1/targets/scripted/sync", Map.of());
		Reply inventory = this.api.post("admin", "/api/v1/targets/inventory/sync", Map.of());
		Reply unknown = this.api.post("admin", "/api/v1/targets/nowhere/sync", Map.of());
		Reply listed = this.api.get("admin", "/api/v1/targets");

		assertThat(byIntegrator.status()).isEqualTo(403);
		assertThat(inventory.status()).as(inventory.toString()).isEqualTo(422);
		assertThat(inventory.contentType()).startsWith("application/problem+json");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(listed.status()).isEqualTo(200);
		assertThat(listed.json().findValuesAsText("name")).contains("inventory", "scripted");
	}

	private static TargetDiscovery.Discovered discovered(String client, List<String> privileges, CredentialStatus status,
			String secretVersion) {
		return new TargetDiscovery.Discovered(client, "Confidential client " + client, privileges,
				List.of(credential(client, status, secretVersion)));
	}

	private static TargetDiscovery.DiscoveredCredential credential(String id, CredentialStatus status, String version) {
		return new TargetDiscovery.DiscoveredCredential(id, CredentialKind.CLIENT_SECRET, status,
				StagedAction.sha256(id + " " + version));
	}

	/** A system that lists what the test put in it, and changes nothing. */
	static final class ScriptedSystem implements ActionConnector, TargetDiscovery {

		final List<Discovered> identities = new ArrayList<>();

		@Override
		public String name() {
			return "scripted";
		}

		@Override
		public List<Discovered> discover() {
			return List.copyOf(this.identities);
		}

		@Override
		public void stage(ConnectorCall call) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void apply(ConnectorCall call) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void verify(ConnectorCall call) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void rollback(ConnectorCall call) {
			throw new UnsupportedOperationException();
		}

	}


}
