package io.countersign.gate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.countersign.api.ApiException;
import io.countersign.api.NotFoundException;
import io.countersign.response.ResponseView;
import io.countersign.response.Responses;
import io.countersign.security.Groups;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.task.Task;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;

/**
 * Completes approval tasks on behalf of an analyst calling our API. It authenticates the
 * analyst to the engine and leaves every rule to the engine-side gate, exactly as Tasklist does.
 */
@Service
class Approvals {

	private final TaskService taskService;

	private final IdentityService identityService;

	private final Responses responses;

	Approvals(TaskService taskService, IdentityService identityService, Responses responses) {
		this.taskService = taskService;
		this.identityService = identityService;
		this.responses = responses;
	}

	ResponseView decide(String responseId, Authentication caller, DecisionRequest request) {
		String user = caller.getName();
		this.responses.record(responseId)
			.orElseThrow(() -> new NotFoundException("response '" + responseId + "' does not exist"));
		List<Task> open = this.taskService.createTaskQuery()
			.processInstanceBusinessKey(responseId)
			.taskDefinitionKey(ApprovalGateProcess.TASK_APPROVE)
			.active()
			.list();
		if (open.isEmpty()) {
			throw new ApiException(HttpStatus.CONFLICT,
					"response '" + responseId + "' has no open approval task; read its status");
		}
		Task task = this.taskService.createTaskQuery()
			.processInstanceBusinessKey(responseId)
			.taskDefinitionKey(ApprovalGateProcess.TASK_APPROVE)
			.active()
			.taskCandidateUser(user)
			.includeAssignedTasks()
			.list()
			.stream()
			.findFirst()
			.orElse(open.get(0));
		Map<String, Object> variables = new HashMap<>();
		variables.put(ApprovalVariables.DECISION, request.decision());
		variables.put(ApprovalVariables.REASON, request.reason());
		variables.put(ApprovalVariables.APPROVED_FINGERPRINT, request.fingerprint());
		if (request.narrowedTo() != null) {
			variables.put(ApprovalVariables.NARROWED_TO, String.join(",", request.narrowedTo()));
		}
		if (request.monitorFor() != null) {
			variables.put(ApprovalVariables.MONITOR_FOR, request.monitorFor());
		}
		if (request.confirmations() != null) {
			// Never over a submitted field; the gate reads only the confirmations its request names.
			request.confirmations().forEach(variables::putIfAbsent);
		}
		this.identityService.setAuthentication(user, Groups.groupIds(caller));
		try {
			this.taskService.complete(task.getId(), variables);
		}
		catch (OptimisticLockingException | NullValueException ex) {
			// Someone else decided this task at the same moment; their decision stands and this one was not recorded.
			throw lostRace(responseId);
		}
		catch (RuntimeException ex) {
			// The winner's commit can also surface as a missing permission on the task it deleted, or as the engine
			// tripping over the execution the winner ended (a NullPointerException in TaskEntity.complete): whatever
			// the engine says, a task that no longer exists means the race was lost.
			this.identityService.clearAuthentication();
			if (ex instanceof GateRefusal || this.taskService.createTaskQuery().taskId(task.getId()).count() > 0) {
				throw ex;
			}
			throw lostRace(responseId);
		}
		finally {
			this.identityService.clearAuthentication();
		}
		return this.responses.find(responseId).orElseThrow();
	}

	private static ApiException lostRace(String responseId) {
		return new ApiException(HttpStatus.CONFLICT, "another decision on response '" + responseId
				+ "' was recorded at the same moment; read the response and decide again if still needed");
	}

}
