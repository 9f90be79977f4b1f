package io.countersign.gate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.countersign.audit.Ledger;
import io.countersign.response.Responses;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.IdentityLink;

import org.springframework.stereotype.Component;

/**
 * Enforces the gate's rules on every approval user task, on {@code create} and {@code complete}, whichever channel
 * completes it. Throwing here rolls back the completion, so a refused task stays open with no decision recorded.
 */
@Component("approvalTaskListener")
class ApprovalTaskListener implements TaskListener {

	private final ApprovalGate gate;

	private final Responses responses;

	private final IdentityService identityService;

	private final Ledger ledger;

	ApprovalTaskListener(ApprovalGate gate, Responses responses, IdentityService identityService, Ledger ledger) {
		this.ledger = ledger;
		this.gate = gate;
		this.responses = responses;
		this.identityService = identityService;
	}

	@Override
	public void notify(DelegateTask task) {
		switch (task.getEventName()) {
			case EVENTNAME_CREATE -> created(task);
			case EVENTNAME_COMPLETE -> completing(task);
			default -> {
			}
		}
	}

	private void created(DelegateTask task) {
		// A decision must be submitted with this completion, never inherited from an earlier one.
		task.getExecution().removeVariable(ApprovalVariables.DECISION);
		task.getExecution().removeVariable(ApprovalVariables.REASON);
		task.getExecution().removeVariable(ApprovalVariables.APPROVED_FINGERPRINT);
		task.getExecution().removeVariable(ApprovalVariables.NARROWED_TO);
		task.getExecution().removeVariable(ApprovalVariables.MONITOR_FOR);
		this.responses.event(task.getExecution().getProcessBusinessKey(), "TASK_CREATED", null,
				"'" + task.getName() + "' for " + candidateGroups(task) + ", "
						+ task.getExecution().getVariable(ApprovalVariables.PROGRESS) + " so far");
	}

	private void completing(DelegateTask task) {
		Authentication authentication = this.identityService.getCurrentAuthentication();
		String responseId = task.getExecution().getProcessBusinessKey();
		String requestId = text(task, ApprovalVariables.REQUEST_ID);
		String user = authentication == null ? null : authentication.getUserId();
		Quorum quorum;
		try {
			quorum = this.gate.decide(new ApprovalGate.Submission(requestId, responseId, task.getId(), user,
					text(task, ApprovalVariables.DECISION), text(task, ApprovalVariables.REASON),
					text(task, ApprovalVariables.APPROVED_FINGERPRINT), extras(task, requestId, responseId)));
		}
		catch (ApprovalRefusedException ex) {
			// The completion rolls back, so the attempt is recorded in a transaction of its own: who tried to
			// approve what they may not is exactly what an auditor asks about.
			this.ledger.appendIndependently(responseId, "REFUSED", user, ex.getMessage(),
					Map.of("rule", ex.rule(), "taskId", task.getId()));
			throw ex;
		}
		task.getExecution().setVariable(ApprovalVariables.STATE, quorum.state().name());
		task.getExecution().setVariable(ApprovalVariables.STILL_NEEDED, quorum.stillNeeded());
		task.getExecution().setVariable(ApprovalVariables.PROGRESS, quorum.describe());
		ApprovalRequest request = this.gate.request(requestId, responseId);
		task.getExecution().setVariable(ApprovalVariables.TASK_NAME,
				this.gate.taskName(request, quorum.approvers().size() + 1));
	}

	/** Whatever the request's options let the approver submit besides the decision; read only by name. */
	private Map<String, String> extras(DelegateTask task, String requestId, String responseId) {
		Map<String, String> extras = new HashMap<>();
		if (requestId == null) {
			return extras;
		}
		List<String> names = new ArrayList<>(List.of(ApprovalVariables.NARROWED_TO, ApprovalVariables.MONITOR_FOR));
		names.addAll(this.gate.request(requestId, responseId).options().confirmations());
		for (String name : names) {
			String value = text(task, name);
			if (value != null) {
				extras.put(name, value);
			}
		}
		return extras;
	}

	private static String text(DelegateTask task, String name) {
		Object value = task.getVariable(name);
		return value == null ? null : value.toString();
	}

	private static Set<String> candidateGroups(DelegateTask task) {
		return task.getCandidates()
			.stream()
			.map(IdentityLink::getGroupId)
			.filter(group -> group != null)
			.collect(Collectors.toCollection(TreeSet::new));
	}

}
