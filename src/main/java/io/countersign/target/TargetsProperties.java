package io.countersign.target;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code countersign.targets.<name>.*}: every target but the built-in {@code inventory}. */
@ConfigurationProperties("countersign")
record TargetsProperties(Map<String, TargetConfig> targets) {

	TargetsProperties {
		targets = targets == null ? Map.of() : new TreeMap<>(targets);
	}

}
