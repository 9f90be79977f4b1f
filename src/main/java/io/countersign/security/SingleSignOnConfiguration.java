package io.countersign.security;

import java.util.Map;

import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.extension.keycloak.plugin.KeycloakIdentityProviderPlugin;
import org.camunda.bpm.webapp.impl.security.auth.ContainerBasedAuthenticationFilter;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;

/**
 * Profile {@code keycloak}: single sign-on through OpenID Connect, with users and groups read live from Keycloak
 * (docs/adr/0003-single-sign-on.md).
 */
@Configuration(proxyBeanMethods = false)
@Profile("keycloak")
@EnableConfigurationProperties(OidcProperties.class)
class SingleSignOnConfiguration {

	/** The Camunda starter's bean that creates {@code camunda.bpm.admin-user}. */
	static final String ADMIN_USER_BEAN = "createAdminUserConfiguration";

	/**
	 * The engine's identity service reads Keycloak: users by username, groups by name (top-level path), read-only, and
	 * without the plugin's cache, so a membership removed in Keycloak counts at the next check (the gate checks at
	 * every completion). Members of Keycloak group camunda-admin are engine administrators.
	 */
	@Bean
	KeycloakIdentityProviderPlugin keycloakIdentityProviderPlugin(OidcProperties properties) {
		KeycloakIdentityProviderPlugin plugin = new KeycloakIdentityProviderPlugin();
		plugin.setKeycloakIssuerUrl(properties.issuer());
		plugin.setKeycloakAdminUrl(properties.realmAdminUrl());
		plugin.setClientId(properties.clientId());
		plugin.setClientSecret(properties.clientSecret());
		plugin.setUseUsernameAsCamundaUserId(true);
		plugin.setUseGroupPathAsCamundaGroupId(true);
		plugin.setAdministratorGroupName(Groups.ADMIN);
		plugin.setCacheEnabled(false);
		plugin.setLoginCacheEnabled(false);
		return plugin;
	}

	/**
	 * Administrators are the members of Keycloak group camunda-admin; the starter's configured admin user would be
	 * written into a read-only identity service and fail the start. Static: it must run before beans are created.
	 */
	@Bean
	static BeanDefinitionRegistryPostProcessor noConfiguredAdminUser() {
		return registry -> {
			if (registry.containsBeanDefinition(ADMIN_USER_BEAN)) {
				registry.removeBeanDefinition(ADMIN_USER_BEAN);
			}
		};
	}

	@Bean
	SingleSignOn singleSignOn(OidcProperties properties, OAuth2AuthorizedClientRepository authorizedClients) {
		return new SingleSignOn(properties, new KeycloakSessionLogout(authorizedClients));
	}

	/**
	 * Opens the webapps' session for the user Spring Security signed in. Ordered after Spring Security's filter chain,
	 * which has set the user by then.
	 */
	@Bean
	FilterRegistrationBean<ContainerBasedAuthenticationFilter> webappSingleSignOnFilter() {
		FilterRegistrationBean<ContainerBasedAuthenticationFilter> registration = new FilterRegistrationBean<>(
				new ContainerBasedAuthenticationFilter());
		registration.setName("countersign-webapp-single-sign-on");
		registration.setInitParameters(Map.of(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
				SpringSecurityWebappAuthentication.class.getName()));
		registration.addUrlPatterns("/camunda/app/*", "/camunda/api/*");
		registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 1);
		return registration;
	}

}
