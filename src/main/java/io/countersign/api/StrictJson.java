package io.countersign.api;

import com.fasterxml.jackson.databind.Module;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring Boot adds every Module bean to the ObjectMapper that reads our API's request bodies. */
@Configuration(proxyBeanMethods = false)
class StrictJson {

	@Bean
	Module textRules() {
		return TextRules.module();
	}

}
