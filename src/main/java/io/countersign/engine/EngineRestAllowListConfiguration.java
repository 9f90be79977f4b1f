package io.countersign.engine;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.countersign.engine.EngineRestAllowListFilter.Root;
import io.micrometer.core.instrument.MeterRegistry;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.autoconfigure.web.servlet.JerseyApplicationPath;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts {@link EngineRestAllowListFilter} in front of both engine-rest roots when
 * {@code countersign.engine-rest.allow-list} is on (the {@code prod} profile's default). It runs after Spring Security,
 * so an anonymous caller is still answered 401 and a refusal is logged with the caller's name.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class EngineRestAllowListConfiguration {

	private static final Logger log = LoggerFactory.getLogger(EngineRestAllowListConfiguration.class);

	/** The webapps' copy of engine-rest, below their application path; it serves named engines only. */
	static final String WEBAPP_ENGINE_API = "/api/engine";

	@Bean
	FilterRegistrationBean<EngineRestAllowListFilter> engineRestAllowListFilter(
			@Value("${countersign.engine-rest.allow-list:false}") boolean enabled, JerseyApplicationPath engineRest,
			CamundaBpmProperties camunda, ObjectMapper objectMapper, MeterRegistry meters) {
		String engineRestRoot = engineRest.getPath();
		String webappRoot = camunda.getWebapp().getApplicationPath() + WEBAPP_ENGINE_API;
		EngineRestAllowListFilter filter = new EngineRestAllowListFilter(
				List.of(Root.of(engineRestRoot, false), Root.of(webappRoot, true)), objectMapper, meters);
		FilterRegistrationBean<EngineRestAllowListFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setName("engineRestAllowList");
		registration.addUrlPatterns(pattern(engineRestRoot), pattern(webappRoot));
		registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 10);
		registration.setEnabled(enabled);
		if (enabled) {
			log.info("Engine-rest allow-list on: {} endpoints served below {} and {}, everything else answered 404",
					EngineRestAllowList.ENTRIES.size(), engineRestRoot, webappRoot);
		}
		else {
			log.info("Engine-rest allow-list off (countersign.engine-rest.allow-list): all of engine-rest is served");
		}
		return registration;
	}

	private static String pattern(String root) {
		return (root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + "/*";
	}

}
