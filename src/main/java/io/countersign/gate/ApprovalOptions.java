package io.countersign.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a playbook lets the approver do besides approve and reject, declared in the diagram as the policy step's
 * input {@code approvalOptions} and stored with the request:
 * <ul>
 * <li>{@code NARROW:<parameter>}: decision {@code NARROW} submits {@code narrowedTo}, a strict subset of the staged
 * action's array {@code <parameter>}; the playbook stages the narrowed action for its own approval;</li>
 * <li>{@code DEFER}: decision {@code DEFER} submits {@code monitorFor}, a period after which the playbook asks
 * again;</li>
 * <li>{@code CONFIRM:<variable>}: approving requires a non-blank {@code <variable>}, recorded with the decision.</li>
 * </ul>
 * None of them can make anything run without an approval of an exact fingerprint.
 */
record ApprovalOptions(String narrowParameter, boolean defer, List<String> confirmations) {

	static final ApprovalOptions NONE = new ApprovalOptions(null, false, List.of());

	static final int MAX_LENGTH = 256;

	private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");

	static ApprovalOptions parse(String text) {
		if (text == null || text.isBlank()) {
			return NONE;
		}
		if (text.length() > MAX_LENGTH) {
			throw new IllegalArgumentException("approvalOptions is longer than " + MAX_LENGTH + " characters");
		}
		String narrow = null;
		boolean defer = false;
		List<String> confirmations = new ArrayList<>();
		for (String raw : text.split(",")) {
			String token = raw.strip();
			if (token.equals("DEFER")) {
				defer = true;
			}
			else if (token.startsWith("NARROW:") && NAME.matcher(token.substring(7)).matches() && narrow == null) {
				narrow = token.substring(7);
			}
			else if (token.startsWith("CONFIRM:") && NAME.matcher(token.substring(8)).matches()) {
				confirmations.add(token.substring(8));
			}
			else if (!token.isEmpty()) {
				throw new IllegalArgumentException("approvalOptions token '" + token
						+ "' is not NARROW:<parameter>, DEFER or CONFIRM:<variable>");
			}
		}
		return new ApprovalOptions(narrow, defer, List.copyOf(confirmations));
	}

	boolean allows(String decision) {
		return switch (decision) {
			case ApprovalVariables.APPROVE, ApprovalVariables.REJECT -> true;
			case ApprovalVariables.NARROW -> this.narrowParameter != null;
			case ApprovalVariables.DEFER -> this.defer;
			default -> false;
		};
	}

	String format() {
		List<String> tokens = new ArrayList<>();
		if (this.narrowParameter != null) {
			tokens.add("NARROW:" + this.narrowParameter);
		}
		if (this.defer) {
			tokens.add("DEFER");
		}
		this.confirmations.forEach(name -> tokens.add("CONFIRM:" + name));
		return tokens.isEmpty() ? null : String.join(",", tokens);
	}

}
