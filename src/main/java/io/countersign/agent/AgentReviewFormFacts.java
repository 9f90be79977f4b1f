package io.countersign.agent;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import io.countersign.gate.ApprovalCard;
import io.countersign.gate.CardFacts;
import io.countersign.gate.CardText;
import io.countersign.gate.TaskFormFacts;

import org.springframework.stereotype.Component;

/**
 * What the review form shows about the agent's request, read from the stored request: a second reviewer who rewrites
 * the display variables cannot show the first a harmless tool call.
 */
@Component
class AgentReviewFormFacts implements TaskFormFacts {

	static final String CARD_PURPOSE = "cardPurpose";

	static final String CARD_ARGUMENTS = "cardArguments";

	static final String CARD_REQUEST_HASH = "cardRequestHash";

	private final AgentActionStore store;

	private final AgentReviewCards cards;

	private final Clock clock;

	AgentReviewFormFacts(AgentActionStore store, AgentReviewCards cards, Clock clock) {
		this.store = store;
		this.cards = cards;
		this.clock = clock;
	}

	@Override
	public Map<String, Object> facts(String taskId) {
		return this.cards.reviewTask(taskId)
			.flatMap(review -> this.store.find(review.actionId()).map(action -> {
				Map<String, Object> facts = facts(action);
				this.cards.card(taskId, action.id(), review.processDefinitionId())
					.ifPresent(card -> facts.putAll(card(action, card)));
				return facts;
			}))
			.orElse(Map.of());
	}

	/** The card in Markdown for the form's text views; every value of the agent's escaped or in a code span. */
	private Map<String, Object> card(AgentAction action, ApprovalCard card) {
		Map<String, Object> facts = new HashMap<>();
		facts.put(CardFacts.SUMMARY, AgentReviewCards.summary(action, CardText.MARKDOWN));
		facts.put(CardFacts.RISK, AgentReviewCards.riskLine(action, CardText.MARKDOWN));
		String expiry = CardText.expiry(card.dueAt(), this.clock.instant());
		facts.put(CardFacts.DEADLINE, "**" + (expiry == null ? "no deadline" : CardText.escape(expiry))
				+ "** · reviewers " + CardText.code(action.reviewerGroup()));
		facts.put(CARD_PURPOSE, CardText.escape(action.purpose()));
		facts.put(CARD_ARGUMENTS, CardText.block(AgentActions.display(action.argumentsJson()), "json"));
		facts.put(CARD_REQUEST_HASH, CardText.code(action.requestHash()));
		return facts;
	}

	private static Map<String, Object> facts(AgentAction action) {
		Map<String, Object> facts = new HashMap<>();
		facts.put(AgentToolAccessProcess.AGENT, action.agent());
		facts.put(AgentToolAccessProcess.ACCOUNT, action.accountId());
		facts.put(AgentToolAccessProcess.TOOL, action.tool());
		facts.put(AgentToolAccessProcess.ARGUMENTS_DISPLAY, AgentActions.display(action.argumentsJson()));
		facts.put(AgentToolAccessProcess.PURPOSE, action.purpose());
		facts.put(AgentToolAccessProcess.SCOPE, action.scope());
		facts.put(AgentToolAccessProcess.REQUESTED_DURATION, action.requestedDuration());
		facts.put(AgentToolAccessProcess.REQUEST_HASH, action.requestHash());
		facts.put(AgentToolAccessProcess.POLICY_RULE, action.policyRule());
		return facts;
	}

}
