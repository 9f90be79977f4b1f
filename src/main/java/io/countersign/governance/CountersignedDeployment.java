package io.countersign.governance;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A deployment that a second person approved: the model change it carries out, who asked, who approved which exact
 * change set, and what the change does. While one runs on a thread, the repository service lets it through where
 * direct deployments are refused, and writes all of this into the deployment's ledger entry.
 *
 * <p>Only Java code of Countersign can open one (expressions in deployed models reach no such class), and only the
 * model-change connector does, after the execution guard cleared the approval and the connector spent its receipt.
 */
public record CountersignedDeployment(String changeId, String responseId, String fingerprint, String requestedBy,
		List<String> approvers, Map<String, Object> diff) {

	private static final ThreadLocal<CountersignedDeployment> CURRENT = new ThreadLocal<>();

	public CountersignedDeployment {
		approvers = List.copyOf(approvers);
		diff = Map.copyOf(diff);
	}

	/** Runs {@code deploy} with this change as the reason any deployment or undeployment on this thread happens. */
	public <T> T run(Supplier<T> deploy) {
		CountersignedDeployment outer = CURRENT.get();
		CURRENT.set(this);
		try {
			return deploy.get();
		}
		finally {
			if (outer == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(outer);
			}
		}
	}

	static CountersignedDeployment current() {
		return CURRENT.get();
	}

}
