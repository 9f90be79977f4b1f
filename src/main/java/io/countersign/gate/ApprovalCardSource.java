package io.countersign.gate;

import java.util.Optional;

/**
 * Builds the {@link ApprovalCard} of the tasks one feature creates: the gate's approval tasks, the agent reviews.
 * Empty for a task the source does not know.
 */
public interface ApprovalCardSource {

	Optional<ApprovalCard> card(String taskId);

}
