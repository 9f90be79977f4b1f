package io.countersign.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

import io.countersign.support.ApiClient;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Admin webapp's first-user setup creates a {@code camunda-admin} when it believes there is none (CVE-2026-77226:
 * that belief can be wrong). It is closed in front of the webapp whatever the groups hold: an anonymous caller with a
 * valid session and XSRF token, even while no user is in {@code camunda-admin}, and the admin alike get our 403.
 */
@HttpIntegrationTest
class CamundaSetupEndpointIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	IdentityService identityService;

	@Test
	void shouldRefuseAnonymousAdminCreationThroughSetupEvenWithoutAnyAdmin() throws Exception {
		String intruder = "setup-intruder";
		// The state in which the setup endpoint itself would create the user: nobody in camunda-admin.
		this.identityService.deleteMembership("admin", Groups.ADMIN);
		try {
			assertThat(this.identityService.createUserQuery().memberOfGroup(Groups.ADMIN).count()).isZero();
			Browser anonymous = new Browser();
			HttpResponse<String> created = anonymous.post(setupPath(), setupBody(intruder));

			assertRefusedByUs(created);
			assertThat(this.identityService.createUserQuery().userId(intruder).count()).isZero();
		}
		finally {
			this.identityService.createMembership("admin", Groups.ADMIN);
		}
	}

	@Test
	void shouldRefuseAdminCreatingAnotherAdminThroughSetup() throws Exception {
		String second = "setup-second-admin";
		Browser admin = new Browser();
		HttpResponse<String> login = admin.post("/camunda/api/admin/auth/user/" + this.processEngine.getName()
				+ "/login/admin", "username=admin&password=admin", "application/x-www-form-urlencoded");
		assertThat(login.statusCode()).as(login.body()).isEqualTo(200);

		HttpResponse<String> created = admin.post(setupPath(), setupBody(second));

		assertRefusedByUs(created);
		assertThat(this.identityService.createUserQuery().userId(second).count()).isZero();
		assertThat(this.identityService.createUserQuery().memberOfGroup(Groups.ADMIN).list())
			.extracting(user -> user.getId())
			.containsExactly("admin");
	}

	/** Ours, not the endpoint's own "setup not available" answer (application/json, InvalidRequestException). */
	private static void assertRefusedByUs(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(response.body()).doesNotContain("InvalidRequestException");
	}

	private String setupPath() {
		return "/camunda/api/admin/setup/" + this.processEngine.getName() + "/user/create";
	}

	private static String setupBody(String userId) {
		return "{\"profile\":{\"id\":\"" + userId + "\",\"firstName\":\"Set\",\"lastName\":\"Up\",\"email\":\"" + userId
				+ "@example.com\"},\"credentials\":{\"password\":\"Str0ng-Passw0rd!\"}}";
	}

	/** A browser with a webapp session and the XSRF token the webapps require of every POST. */
	private final class Browser {

		private final CookieManager cookies = new CookieManager();

		private final HttpClient http = HttpClient.newBuilder().cookieHandler(this.cookies).build();

		private final String xsrfToken;

		Browser() throws IOException, InterruptedException {
			this.http.send(HttpRequest.newBuilder(uri("/camunda/app/admin/" + CamundaSetupEndpointIntegrationTest.this.processEngine.getName() + "/"))
				.GET()
				.build(), BodyHandlers.ofString());
			this.xsrfToken = ApiClient.xsrfToken(this.cookies);
		}

		HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
			return post(path, body, "application/json");
		}

		HttpResponse<String> post(String path, String body, String contentType) throws IOException,
				InterruptedException {
			return this.http.send(HttpRequest.newBuilder(uri(path))
				.header("Content-Type", contentType)
				.header("X-XSRF-TOKEN", this.xsrfToken)
				.POST(BodyPublishers.ofString(body))
				.build(), BodyHandlers.ofString());
		}

	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
