package io.countersign.gate;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.countersign.response.ResponseView;
import io.countersign.response.Responses;

import org.springframework.stereotype.Component;

/** The cards of the approval gate's tasks. */
@Component
class ApprovalCards implements ApprovalCardSource {

	private final ApprovalTasks tasks;

	private final ApprovalGate gate;

	private final Responses responses;

	ApprovalCards(ApprovalTasks tasks, ApprovalGate gate, Responses responses) {
		this.tasks = tasks;
		this.gate = gate;
		this.responses = responses;
	}

	@Override
	public Optional<ApprovalCard> card(String taskId) {
		return this.tasks.find(taskId).flatMap(task -> {
			ApprovalRequest request = this.gate.request(task.requestId(), task.responseId());
			return this.responses.find(task.responseId()).map(view -> card(taskId, request, view));
		});
	}

	private static ApprovalCard card(String taskId, ApprovalRequest request, ResponseView view) {
		List<String> groups = new ArrayList<>();
		groups.add(request.approverGroup());
		if (request.escalated() && request.escalationGroup() != null) {
			groups.add(request.escalationGroup());
		}
		String action = view.stagedAction() == null ? view.playbook() : view.stagedAction().type();
		String subject = view.credential() != null ? view.credential() + " of " + view.identity() : view.identity();
		String summary = action + ": " + subject;
		String riskLine = String.join(" · ", nonNull(view.environment(), view.severity()));
		return new ApprovalCard(taskId, view.id(), view.playbook(), summary, riskLine, groups, view.requestedBy(),
				RequestDeadline.deadline(request), after(request.createdAt(), request.escalateAfter()),
				ApprovalCard.priority(view.severity()));
	}

	private static List<String> nonNull(String... values) {
		List<String> list = new ArrayList<>();
		for (String value : values) {
			if (value != null && !value.isBlank()) {
				list.add(value);
			}
		}
		return list;
	}

	private static Instant after(Instant start, String period) {
		if (start == null || period == null) {
			return null;
		}
		try {
			return start.plus(Duration.parse(period));
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
