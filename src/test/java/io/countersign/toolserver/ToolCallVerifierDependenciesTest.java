package io.countersign.toolserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Tool servers copy or depend on this package alone: it must not drag this service's libraries along. */
class ToolCallVerifierDependenciesTest {

	static final Path SOURCES = Path.of("src/main/java/io/countersign/toolserver");

	static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.*]+)\\s*;", Pattern.MULTILINE);

	@Test
	void shouldImportOnlyFromTheJdk() throws IOException {
		List<Path> sources;
		try (Stream<Path> files = Files.list(SOURCES)) {
			sources = files.filter(file -> file.toString().endsWith(".java")).toList();
		}
		assertThat(sources).extracting(file -> file.getFileName().toString()).contains("ToolCallVerifier.java");

		int imports = 0;
		for (Path source : sources) {
			String text = Files.readString(source);
			Matcher matcher = IMPORT.matcher(text);
			while (matcher.find()) {
				imports++;
				assertThat(matcher.group(1)).as(source.getFileName() + " imports " + matcher.group(1))
					.matches("(java|javax)\\..+");
			}
			// Fully qualified names would get around the imports.
			assertThat(text).as(source.getFileName().toString())
				.doesNotContain("org.springframework", "com.fasterxml", "com.nimbusds", "org.slf4j", "jakarta.");
		}
		assertThat(imports).isPositive();
	}

}
