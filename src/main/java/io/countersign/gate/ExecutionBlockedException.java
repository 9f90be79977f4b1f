package io.countersign.gate;

/** The execution guard refused to let an action run. */
public class ExecutionBlockedException extends RuntimeException {

	public ExecutionBlockedException(String message) {
		super(message);
	}

}
