package io.countersign.api;

import org.springframework.http.HttpStatus;

/** An error the API reports as a problem detail with the given status. */
public class ApiException extends RuntimeException {

	private final HttpStatus status;

	private final String field;

	public ApiException(HttpStatus status, String message) {
		this(status, message, null);
	}

	public ApiException(HttpStatus status, String message, String field) {
		super(message);
		this.status = status;
		this.field = field;
	}

	public HttpStatus status() {
		return this.status;
	}

	public String field() {
		return this.field;
	}

}
