package io.countersign.tasklist;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Every Tasklist browser test again with the engine-rest allow-list on, as in {@code prod}: Tasklist logs in, lists "My
 * approvals", opens each playbook's Camunda Form, claims and completes with nothing but the endpoints of
 * {@code docs/engine-rest.md}, and not one of its calls is refused on the way.
 */
@TestPropertySource(properties = "countersign.engine-rest.allow-list=true")
class TasklistWithAllowListBrowserTest extends TasklistApprovalBrowserTest {

	@Autowired
	MeterRegistry meters;

	/** Runs before the browser closes; a refused call would also show as a red notification only if Tasklist chose to. */
	@AfterEach
	void shouldHaveRefusedNoCallOfTasklist() {
		assertThat(this.meters.get("countersign.engine.rest.refused").counter().count()).isZero();
	}

}
