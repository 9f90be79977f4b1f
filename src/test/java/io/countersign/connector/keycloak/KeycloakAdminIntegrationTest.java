package io.countersign.connector.keycloak;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.connector.keycloak.KeycloakTestRealm.Token;
import io.countersign.support.KeycloakServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.countersign.connector.keycloak.KeycloakTestRealm.API_CLIENT;
import static io.countersign.connector.keycloak.KeycloakTestRealm.CLIENT_ROLE;
import static io.countersign.connector.keycloak.KeycloakTestRealm.REALM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link KeycloakAdmin} against a real Keycloak ({@link KeycloakServer}): every operation is proven by what Keycloak
 * then does, mostly by a real {@code client_credentials} token request made independently of the code under test. Each
 * test works in a realm of its own and deletes it.
 */
class KeycloakAdminIntegrationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static KeycloakServer server;

	private KeycloakTestRealm realm;

	private KeycloakAdmin admin;

	@BeforeAll
	static void startKeycloak() {
		server = KeycloakServer.shared();
	}

	@BeforeEach
	void createRealm() {
		this.realm = KeycloakTestRealm.create(server);
		this.admin = new KeycloakAdmin(this.realm.masterAdminTarget(), JSON, Clock.systemUTC());
	}

	@AfterEach
	void deleteRealm() {
		if (this.realm != null) {
			this.realm.close();
		}
	}

	@Test
	void shouldFindServiceAccountClientByClientIdAndNothingForUnknownOne() {
		Optional<KeycloakClient> client = this.admin.findClient(this.realm.clientId());

		assertThat(client).hasValueSatisfying(found -> {
			assertThat(found.clientId()).isEqualTo(this.realm.clientId());
			assertThat(found.id()).isNotBlank().isNotEqualTo(this.realm.clientId());
			assertThat(found.enabled()).isTrue();
			assertThat(found.isServiceAccount()).isTrue();
		});
		assertThat(this.admin.findClient(API_CLIENT)).hasValueSatisfying(api -> {
			assertThat(api.confidential()).isTrue();
			assertThat(api.serviceAccountsEnabled()).isFalse();
		});
		assertThat(this.admin.findClient("svc-that-does-not-exist")).isEmpty();
		assertThatThrownBy(() -> this.admin.setEnabled("svc-that-does-not-exist", false))
			.isInstanceOfSatisfying(KeycloakRefusedException.class, ex -> assertThat(ex.status()).isEqualTo(404));
	}

	@Test
	void shouldRefuseOldSecretWhenSecretRegenerated() {
		assertThat(this.admin.readSecret(this.realm.clientId()).matches(this.realm.secret())).isTrue();

		SecretRotation rotation = this.admin.regenerateSecret(this.realm.clientId());

		String fresh = rotation.secret().value();
		assertThat(fresh).isNotEqualTo(this.realm.secret());
		assertThat(rotation.previousKept()).isFalse();
		assertThat(this.realm.token(this.realm.clientId(), fresh).status()).isEqualTo(200);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(401);
		assertThat(this.admin.readSecret(this.realm.clientId()).matches(fresh)).isTrue();
		assertThat(this.admin.tokenRequest(this.realm.clientId(), fresh).issued()).isTrue();
		assertThat(this.admin.tokenRequest(this.realm.clientId(), this.realm.secret()))
			.satisfies(refused -> assertThat(refused.status()).isEqualTo(401))
			// Which of the two depends on the version; both mean "not with this secret".
			.satisfies(refused -> assertThat(refused.error()).isIn("invalid_client", "unauthorized_client"));
		assertThat(rotation.toString()).doesNotContain(fresh);
	}

	@Test
	void shouldRefuseTokenWhenClientDisabledAndIssueItWhenEnabledAgain() {
		this.admin.setEnabled(this.realm.clientId(), false);

		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(401);
		assertThat(this.admin.findClient(this.realm.clientId())).hasValueSatisfying(c -> assertThat(c.enabled()).isFalse());

		this.admin.setEnabled(this.realm.clientId(), true);

		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(200);
		// The whole representation went back: the secret and the service account survived the round trip.
		assertThat(this.admin.findClient(this.realm.clientId()))
			.hasValueSatisfying(c -> assertThat(c.isServiceAccount()).isTrue());
	}

	@Test
	void shouldDropRealmRoleFromTokenWhenRemovedAndCarryItAgainWhenAdded() {
		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).realmRoles()).contains(REALM_ROLE);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).realmRoles()).contains(REALM_ROLE);

		this.admin.removeRealmRoles(this.realm.clientId(), List.of(REALM_ROLE));

		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).realmRoles()).doesNotContain(REALM_ROLE);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).realmRoles())
			.doesNotContain(REALM_ROLE);
		assertThat(this.admin.tokenRequest(this.realm.clientId(), this.realm.secret()).realmRoles())
			.doesNotContain(REALM_ROLE);

		this.admin.addRealmRoles(this.realm.clientId(), List.of(REALM_ROLE));

		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).realmRoles()).contains(REALM_ROLE);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).realmRoles()).contains(REALM_ROLE);
		assertThat(this.admin.tokenRequest(this.realm.clientId(), this.realm.secret()).realmRoles())
			.contains(REALM_ROLE);
	}

	@Test
	void shouldDropClientRoleFromTokenWhenRemovedAndCarryItAgainWhenAdded() {
		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).clientRoles(API_CLIENT))
			.containsExactly(CLIENT_ROLE);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).clientRoles(API_CLIENT))
			.containsExactly(CLIENT_ROLE);

		this.admin.removeClientRoles(this.realm.clientId(), API_CLIENT, Set.of(CLIENT_ROLE));

		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).clientRoles(API_CLIENT)).isEmpty();
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).clientRoles(API_CLIENT)).isEmpty();

		this.admin.addClientRoles(this.realm.clientId(), API_CLIENT, Set.of(CLIENT_ROLE));

		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).clientRoles(API_CLIENT))
			.containsExactly(CLIENT_ROLE);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).clientRoles(API_CLIENT))
			.containsExactly(CLIENT_ROLE);
		assertThat(this.admin.tokenRequest(this.realm.clientId(), this.realm.secret()).clientRoles(API_CLIENT))
			.containsExactly(CLIENT_ROLE);
	}

	@Test
	void shouldRefuseAddingRoleTheRealmDoesNotHave() {
		assertThatThrownBy(() -> this.admin.addRealmRoles(this.realm.clientId(), List.of("no-such-role")))
			.isInstanceOfSatisfying(KeycloakRefusedException.class, ex -> assertThat(ex.status()).isEqualTo(404));

		assertThat(this.admin.serviceAccountRoles(this.realm.clientId()).realmRoles()).doesNotContain("no-such-role");
	}

	@Test
	void shouldMakeEarlierTokensInactiveWhenNotBeforePushed() {
		Token earlier = this.realm.token(this.realm.clientId(), this.realm.secret());
		assertThat(this.realm.active(earlier.accessToken(), this.realm.secret())).isTrue();

		ClientUpdate update = this.admin.pushNotBefore(this.realm.clientId());

		assertThat(update.secretReplaced()).isFalse();
		assertThat(update.notBefore()).isAfter(Instant.ofEpochSecond(earlier.claims().path("iat").asLong()));
		assertThat(this.realm.active(earlier.accessToken(), this.realm.secret())).isFalse();
		// Tokens issued from the not-before second on are good again: the client itself was not locked out.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.realm.active(this.realm.token(this.realm.clientId(), this.realm.secret()).accessToken(),
					this.realm.secret()));
	}

	@Test
	void shouldKeepOldSecretUntilRotatedSecretEndedWhenRotationPolicyApplies() {
		this.realm.enableRotationPolicy(6000, 600);
		assertThat(this.admin.secretRotationFeatureEnabled()).isTrue();
		Instant before = Instant.now();

		SecretRotation rotation = this.admin.regenerateSecret(this.realm.clientId());

		String fresh = rotation.secret().value();
		assertThat(rotation.previousKept()).isTrue();
		assertThat(rotation.previousValidUntil()).hasValueSatisfying(until -> assertThat(until)
			.isBetween(before.plusSeconds(600).minusSeconds(5), Instant.now().plusSeconds(600).plusSeconds(5)));
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(200);
		assertThat(this.realm.token(this.realm.clientId(), fresh).status()).isEqualTo(200);
		assertThat(this.admin.rotatedSecretValidUntil(this.realm.clientId())).isEqualTo(rotation.previousValidUntil());

		this.admin.endRotatedSecret(this.realm.clientId());

		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(401);
		assertThat(this.realm.token(this.realm.clientId(), fresh).status()).isEqualTo(200);
		assertThat(this.admin.rotatedSecretValidUntil(this.realm.clientId())).isEmpty();
		// Ending it again changes nothing and is no error: a retried apply must not fail.
		this.admin.endRotatedSecret(this.realm.clientId());
		assertThat(this.realm.token(this.realm.clientId(), fresh).status()).isEqualTo(200);
	}

	@Test
	void shouldDropFirstSecretWhenRegeneratedTwiceInsideRotationWindow() {
		this.realm.enableRotationPolicy(6000, 600);
		String second = this.admin.regenerateSecret(this.realm.clientId()).secret().value();

		String third = this.admin.regenerateSecret(this.realm.clientId()).secret().value();

		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(401);
		assertThat(this.realm.token(this.realm.clientId(), second).status()).isEqualTo(200);
		assertThat(this.realm.token(this.realm.clientId(), third).status()).isEqualTo(200);
	}

	@Test
	void shouldReportReplacedSecretWhenUpdatingClientWhoseSecretExpiredUnderRotationPolicy() {
		this.realm.enableRotationPolicy(2, 1);
		// The client predates the policy: its first update under it only starts the secret's two seconds.
		assertThat(this.admin.setEnabled(this.realm.clientId(), true).secretReplaced()).isFalse();
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(200);
		// Waiting for Keycloak's clock to pass the expiry, not timing anything.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.realm.token(this.realm.clientId(), this.realm.secret()).status() == 401);

		ClientUpdate update = this.admin.setEnabled(this.realm.clientId(), false);

		assertThat(update.secretReplaced()).isTrue();
		assertThat(this.admin.readSecret(this.realm.clientId()).matches(this.realm.secret())).isFalse();
		assertThat(this.admin.rotatedSecretValidUntil(this.realm.clientId())).isPresent();
	}

	@Test
	void shouldNotReportReplacedSecretWhenUpdatingClientWhoseSecretIsValidUnderRotationPolicy() {
		this.realm.enableRotationPolicy(6000, 600);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(200);

		ClientUpdate update = this.admin.setEnabled(this.realm.clientId(), false);

		assertThat(update.secretReplaced()).isFalse();
		assertThat(this.admin.readSecret(this.realm.clientId()).matches(this.realm.secret())).isTrue();
	}

	@Test
	void shouldAdministerRealmAsItsOwnServiceAccountWithClientCredentials() {
		String adminSecret = this.realm.createAdminClient("countersign");
		KeycloakAdmin realmAdmin = new KeycloakAdmin(KeycloakTarget.withClient(server.url(), this.realm.name(),
				this.realm.name(), "countersign", adminSecret, Duration.ofSeconds(10)), JSON, Clock.systemUTC());

		assertThat(realmAdmin.secretRotationFeatureEnabled()).isTrue();
		realmAdmin.setEnabled(this.realm.clientId(), false);
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(401);
		realmAdmin.setEnabled(this.realm.clientId(), true);
		realmAdmin.removeClientRoles(this.realm.clientId(), API_CLIENT, List.of(CLIENT_ROLE));
		String fresh = realmAdmin.regenerateSecret(this.realm.clientId()).secret().value();

		Token token = this.realm.token(this.realm.clientId(), fresh);
		assertThat(token.status()).isEqualTo(200);
		assertThat(token.clientRoles(API_CLIENT)).isEmpty();
		assertThat(realmAdmin.serviceAccountRoles(this.realm.clientId()).realmRoles()).contains(REALM_ROLE);
	}

	@Test
	void shouldLogInAgainWhenKeycloakRefusesCachedAdminToken() {
		String userId = this.realm.createAdminUser("operator", "operator-demo-password");
		KeycloakAdmin realmAdmin = new KeycloakAdmin(KeycloakTarget.withUser(server.url(), this.realm.name(),
				this.realm.name(), "operator", "operator-demo-password", Duration.ofSeconds(10)), JSON,
				Clock.systemUTC());
		assertThat(realmAdmin.findClient(this.realm.clientId())).isPresent();
		assertThat(this.realm.loginEvents("LOGIN")).isEqualTo(1);

		this.realm.logOut(userId);

		assertThat(realmAdmin.findClient(this.realm.clientId())).isPresent();
		assertThat(this.realm.loginEvents("LOGIN")).isEqualTo(2);
	}

	@Test
	void shouldLogInAgainWhenCachedAdminTokenExpires() {
		this.realm.createAdminUser("operator", "operator-demo-password");
		MovableClock clock = new MovableClock();
		KeycloakAdmin realmAdmin = new KeycloakAdmin(KeycloakTarget.withUser(server.url(), this.realm.name(),
				this.realm.name(), "operator", "operator-demo-password", Duration.ofSeconds(10)), JSON, clock);
		realmAdmin.findClient(this.realm.clientId());
		realmAdmin.findClient(this.realm.clientId());
		assertThat(this.realm.loginEvents("LOGIN")).isEqualTo(1);

		// Keycloak's default access token lifespan is 5 minutes; an hour later ours has long expired.
		clock.advance(Duration.ofHours(1));
		realmAdmin.findClient(this.realm.clientId());

		assertThat(this.realm.loginEvents("LOGIN")).isEqualTo(2);
	}

	@Test
	void shouldRefuseWithoutRevealingPasswordWhenAdminCredentialsWrong() {
		String wrong = "wrong-password-" + this.realm.name();
		KeycloakAdmin intruder = new KeycloakAdmin(KeycloakTarget.withUser(server.url(), this.realm.name(), null,
				KeycloakServer.ADMIN_USERNAME, wrong, Duration.ofSeconds(10)), JSON, Clock.systemUTC());

		assertThatThrownBy(() -> intruder.setEnabled(this.realm.clientId(), false))
			.isInstanceOfSatisfying(KeycloakRefusedException.class, ex -> {
				assertThat(ex.status()).isEqualTo(401);
				assertThat(ex.getMessage()).contains("admin login").doesNotContain(wrong);
			});
		assertThat(this.realm.token(this.realm.clientId(), this.realm.secret()).status()).isEqualTo(200);
	}

	@Test
	void shouldRefuseRealmAdministratorWithoutRightsOverClients() {
		this.realm.createAdminUser("operator", "operator-demo-password");
		KeycloakAdmin otherRealm = new KeycloakAdmin(KeycloakTarget.withUser(server.url(), "master", this.realm.name(),
				"operator", "operator-demo-password", Duration.ofSeconds(10)), JSON, Clock.systemUTC());

		assertThatThrownBy(() -> otherRealm.findClient("admin-cli"))
			.isInstanceOfSatisfying(KeycloakRefusedException.class, ex -> assertThat(ex.status()).isEqualTo(403));
	}

	/** A clock the test moves forward by hand. */
	private static final class MovableClock extends Clock {

		private Instant now = Instant.now();

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
