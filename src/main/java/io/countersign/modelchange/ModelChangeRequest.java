package io.countersign.modelchange;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Model files to deploy, as a change request. Each file replaces the deployed file of the same name or adds one; the
 * files not named stay as they are deployed now.
 */
record ModelChangeRequest(@NotBlank @Size(max = 500) String summary,
		@NotEmpty @Size(max = MAX_FILES) List<@Valid @NotNull File> files) {

	static final int MAX_FILES = 16;

	/** Most UTF-8 bytes one file may have; a whole request is capped at 1 MiB. */
	static final int MAX_FILE_BYTES = 256 * 1024;

	/**
	 * @param name a file name such as {@code approval-policy.dmn}, never a path
	 * @param content the whole file: BPMN or DMN XML, or a Camunda form's JSON
	 */
	record File(@NotBlank @Pattern(regexp = "^[a-z0-9]+(-[a-z0-9]+)*\\.(bpmn|dmn|form)$",
			message = "must be a file name like approval-policy.dmn: lower-case words joined by hyphens, then .bpmn, .dmn or .form") String name,
			@NotBlank @Size(max = MAX_FILE_BYTES) String content) {
	}

}
