package io.countersign.agent;

/** How much of a tool a standing grant covers, narrowest first: matching tries them in this order. */
enum GrantKind {

	/** The approved call's exact arguments. */
	EXACT_ARGUMENTS,

	/** Arguments matching a pattern of globs, one per top-level argument. */
	ARGUMENT_PATTERN,

	/** Any arguments. */
	TOOL;

	/** {@code allowed} is the widest kind the policy permits, or {@code null} for none. */
	boolean within(GrantKind allowed) {
		return allowed != null && ordinal() <= allowed.ordinal();
	}

}
