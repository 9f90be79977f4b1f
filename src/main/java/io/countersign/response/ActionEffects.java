package io.countersign.response;

/**
 * What a playbook's actions did to their targets, as our tables record it. A response's final status must agree
 * with it, whatever end event a process instance reached and however it got there.
 */
public interface ActionEffects {

	enum Effect {

		/** Nothing is changed at the target (never applied, or only a containment that was released). */
		NOTHING,
		/** The action was applied and verified and stands. */
		IN_EFFECT,
		/** Applied, but neither verified nor undone. */
		UNVERIFIED,
		/** Applied and then undone: rolled back, restored or released. */
		UNDONE

	}

	/** True when this implementation knows how {@code playbook} records its actions. */
	boolean handles(String playbook);

	Effect effect(String responseId);

}
