package io.countersign.receipt;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ReceiptConfiguration {

	/** Receipt times come from a bean so that tests can move it; the application has no other clock bean yet. */
	@Bean
	@ConditionalOnMissingBean
	static Clock clock() {
		return Clock.systemUTC();
	}

}
