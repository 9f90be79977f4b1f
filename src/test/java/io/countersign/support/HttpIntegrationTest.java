package io.countersign.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole application on a random port and a private in-memory H2 database, with the job executor running as in
 * production but polling often, so asynchronous stage and apply steps finish within a test's patience.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
				"camunda.bpm.generate-unique-process-engine-name=true",
				"camunda.bpm.generate-unique-process-application-name=true",
				"camunda.bpm.job-execution.max-wait=500", "camunda.bpm.job-execution.wait-time-in-millis=200" })
public @interface HttpIntegrationTest {

}
