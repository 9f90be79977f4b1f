package io.countersign.playbook.secretrotation;

import io.countersign.response.PlaybookDefinition;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SecretRotationPlaybook {

	@Bean
	PlaybookDefinition secretRotationPlaybookDefinition() {
		return new PlaybookDefinition("secret-rotation", SecretRotationProcess.PROCESS_KEY, true);
	}

}
