package io.countersign.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code countersign.demo.enabled}: whether the demo users of the README exist (password = user id). The prod
 * profile refuses to start with it on.
 */
@ConfigurationProperties("countersign.demo")
record DemoProperties(boolean enabled) {
}
