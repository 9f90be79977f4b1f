package io.countersign.playbook.secretrotation;

import io.countersign.response.ActionEffects;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** A rotation records no action rows: the inventory's versions say whether it happened and whether it was undone. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RotationEffects implements ActionEffects {

	private final SecretRotation rotation;

	RotationEffects(SecretRotation rotation) {
		this.rotation = rotation;
	}

	@Override
	public boolean handles(String playbook) {
		return SecretRotationProcess.PROCESS_KEY.equals(playbook);
	}

	@Override
	public Effect effect(String responseId) {
		return switch (this.rotation.state(responseId)) {
			case APPLIED, VERIFIED -> Effect.IN_EFFECT;
			case ROLLED_BACK, RELEASED -> Effect.UNDONE;
			case NONE, STAGED -> Effect.NOTHING;
		};
	}

}
