package io.countersign.agent;

import org.springframework.context.ApplicationContext;

/**
 * How many agents are long-polling right now, for tests outside this package (the benchmarks): the waiters stay
 * package-private in production code, and a test-only bridge keeps the compiler checking the call.
 */
public final class AgentWaiterCount {

	private AgentWaiterCount() {
	}

	public static int in(ApplicationContext context) {
		return context.getBean(AgentActionWaiters.class).waiting();
	}

}
