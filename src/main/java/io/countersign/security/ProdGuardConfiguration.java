package io.countersign.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
@Profile("prod")
class ProdGuardConfiguration {

	// Static: a bean factory post-processor must not wait for its configuration class to be instantiated.
	@Bean
	static ProdStartupGuard prodStartupGuard(Environment environment) {
		return new ProdStartupGuard(environment);
	}

}
