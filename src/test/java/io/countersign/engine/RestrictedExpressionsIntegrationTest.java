package io.countersign.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.countersign.support.ApiClient;
import io.countersign.support.ApiClient.Reply;
import io.countersign.support.HttpIntegrationTest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An administrator deploys, as the embedded default still allows, diagrams that try to reach beyond the playbook API
 * through an expression or a script. Each one fails without effect: the ledger keeps its entries, no file appears, no
 * response is decided.
 */
@HttpIntegrationTest
class RestrictedExpressionsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ProcessEngine processEngine;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	ApplicationContext applicationContext;

	@TempDir
	Path temp;

	ApiClient api;

	@BeforeEach
	void setUp() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void shouldRefuseExpressionReachingJdbcClientBean() {
		String key = deployExpression("${jdbcClient.sql('delete from ledger_entry').update()}");
		long entries = ledgerEntries();

		Reply started = start(key);

		assertThat(started.status()).as(started.toString()).isGreaterThanOrEqualTo(400);
		assertThat(started.body()).contains("jdbcClient");
		assertThat(ledgerEntries()).isEqualTo(entries);
	}

	@Test
	void shouldRefuseExpressionRunningOperatingSystemCommandThroughReflection() {
		Path marker = this.temp.resolve("pwned-" + UUID.randomUUID());
		String key = deployExpression("${execution.getClass().forName('java.lang.Runtime').getMethod('getRuntime')"
				+ ".invoke(null).exec('touch " + marker + "')}");

		Reply started = start(key);

		assertThat(started.status()).as(started.toString()).isGreaterThanOrEqualTo(400);
		assertThat(started.body()).contains("expression guard");
		assertThat(Files.exists(marker)).isFalse();
	}

	@Test
	void shouldRefuseExpressionReachingEngineServicesBehindTheExecution() {
		String key = deployExpression(
				"${execution.processEngineServices.identityService.createMembership('admin', 'platform-owners')}");

		Reply started = start(key);

		assertThat(started.status()).as(started.toString()).isGreaterThanOrEqualTo(400);
		assertThat(this.processEngine.getIdentityService()
			.createUserQuery()
			.userId("admin")
			.memberOfGroup("platform-owners")
			.count()).isZero();
	}

	@Test
	void shouldRefuseStringMethodsLeadingToClasses() {
		String key = deployExpression("${''.getClass().forName('java.lang.System').getProperty('user.home')}");

		assertThat(start(key).status()).isGreaterThanOrEqualTo(400);
	}

	@Test
	void shouldRefuseScriptTaskAndJavaClassesAtDeployment() {
		BpmnModelInstance script = Bpmn.createExecutableProcess("script-" + UUID.randomUUID())
			.camundaHistoryTimeToLive(1)
			.startEvent()
			.scriptTask()
			.scriptFormat("groovy")
			.scriptText("'touch /tmp/x'.execute()")
			.endEvent()
			.done();
		BpmnModelInstance javaClass = Bpmn.createExecutableProcess("class-" + UUID.randomUUID())
			.camundaHistoryTimeToLive(1)
			.startEvent()
			.serviceTask()
			.camundaClass("io.countersign.engine.AnyClass")
			.endEvent()
			.done();
		BpmnModelInstance classListener = Bpmn.createExecutableProcess("listener-" + UUID.randomUUID())
			.camundaHistoryTimeToLive(1)
			.startEvent()
			.camundaExecutionListenerClass("start", "io.countersign.engine.AnyClass")
			.endEvent()
			.done();

		for (BpmnModelInstance refused : new BpmnModelInstance[] { script, javaClass, classListener }) {
			Reply deployed = deploy(refused);
			assertThat(deployed.status()).as(deployed.toString()).isGreaterThanOrEqualTo(400).isLessThan(500);
			assertThat(deployed.body()).contains("Deployment refused");
		}
	}

	@Test
	void shouldStillRunDelegateBeansAndVariableExpressions() {
		String key = "allowed-" + UUID.randomUUID();
		BpmnModelInstance allowed = Bpmn.createExecutableProcess(key)
			.camundaHistoryTimeToLive(1)
			.startEvent()
			.serviceTask("Task_Echo")
			.camundaExpression("${execution.setVariable('echo', execution.processBusinessKey)}")
			.userTask("Task_Wait")
			.endEvent()
			.done();
		assertThat(deploy(allowed).status()).isEqualTo(200);

		Reply started = this.api.post("admin", engineRest("/process-definition/key/" + key + "/start"),
				Map.of("businessKey", "bk-1"));

		assertThat(started.status()).as(started.toString()).isEqualTo(200);
		String instance = started.json().path("id").asText();
		assertThat(this.api.get("admin", engineRest("/process-instance/" + instance + "/variables/echo")).json()
			.path("value")
			.asText()).isEqualTo("bk-1");
	}

	@Test
	void shouldAllowOnlyOurDelegatesAndListenersAsBeans() {
		assertThat(RestrictedExpressionManager.isDelegateBean(this.applicationContext, "applyGuardedActionDelegate"))
			.isTrue();
		assertThat(RestrictedExpressionManager.isDelegateBean(this.applicationContext, "approvalTaskListener")).isTrue();
		for (String bean : new String[] { "jdbcClient", "dataSource", "responses", "ledger", "processEngine",
				"runtimeService", "identityService", "approvalGate", "transactionManager", "objectMapper" }) {
			assertThat(RestrictedExpressionManager.isDelegateBean(this.applicationContext, bean)).as(bean).isFalse();
		}
	}

	private String deployExpression(String expression) {
		String key = "probe-" + UUID.randomUUID();
		BpmnModelInstance probe = Bpmn.createExecutableProcess(key)
			.camundaHistoryTimeToLive(1)
			.startEvent()
			.serviceTask("Task_Probe")
			.camundaExpression(expression)
			.endEvent()
			.done();
		Reply deployed = deploy(probe);
		assertThat(deployed.status()).as(deployed.toString()).isEqualTo(200);
		return key;
	}

	private Reply start(String key) {
		return this.api.post("admin", engineRest("/process-definition/key/" + key + "/start"), Map.of());
	}

	private Reply deploy(BpmnModelInstance model) {
		String boundary = "countersign-" + UUID.randomUUID();
		String body = "--" + boundary + "\r\n" + "Content-Disposition: form-data; name=\"deployment-name\"\r\n\r\n"
				+ "probe\r\n" + "--" + boundary + "\r\n"
				+ "Content-Disposition: form-data; name=\"data\"; filename=\"probe.bpmn\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n" + Bpmn.convertToString(model) + "\r\n" + "--"
				+ boundary + "--\r\n";
		return this.api.send("admin", "POST", engineRest("/deployment/create"),
				new String(body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
				Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
	}

	private long ledgerEntries() {
		return this.jdbc.sql("select count(*) from ledger_entry").query(Long.class).single();
	}

	private String engineRest(String path) {
		return "/engine-rest/engine/" + this.processEngine.getName() + path;
	}

}
