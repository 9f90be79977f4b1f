package io.countersign.security;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;

import org.springframework.stereotype.Component;

/**
 * Turns off Camunda's per-account login lock. It locks a user for a growing delay after each failed password and for
 * good after ten, so anyone who knows an approver's user id could lock the approver out of Tasklist and the API in a
 * few anonymous requests. Guessing is slowed per source address instead ({@link LoginThrottle}), in front of every
 * password check. Set after initialisation so that no generic property turns the lock back on by accident.
 */
@Component
class NoAccountLockoutPlugin extends AbstractProcessEnginePlugin {

	@Override
	public void postInit(ProcessEngineConfigurationImpl configuration) {
		// A failure still counts in the user's row, but never reaches the limit and delays nothing (0 s * factor^n).
		configuration.setLoginMaxAttempts(Integer.MAX_VALUE);
		configuration.setLoginDelayBase(0);
		configuration.setLoginDelayMaxTime(0);
	}

}
