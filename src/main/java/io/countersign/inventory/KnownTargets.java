package io.countersign.inventory;

/**
 * The targets configured in this installation ({@code countersign.targets.<name>}), as the inventory needs them: an
 * identity may only name one that exists. Implemented where targets are configured, so the inventory does not depend
 * on connectors.
 */
public interface KnownTargets {

	boolean exists(String name);

	/** For error messages: every configured target's name, sorted. */
	java.util.List<String> names();

}
