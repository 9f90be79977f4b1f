package io.countersign.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretSinkTest {

	@TempDir
	Path directory;

	@Test
	void shouldWriteTheMaterialForItsOwnerOnlyAndReplaceItAtomically() throws Exception {
		FileSecretSink sink = new FileSecretSink(this.directory);
		SecretMaterial first = SecretMaterial.generate();
		SecretMaterial second = SecretMaterial.generate();

		sink.deliver("kc-prod", "payments-client", first);
		sink.deliver("kc-prod", "payments-client", second);

		Path file = this.directory.resolve("kc-prod").resolve("payments-client");
		assertThat(Files.readString(file)).isEqualTo(second.reveal());
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
			.isEqualTo("rwx------");
		try (var files = Files.list(file.getParent())) {
			assertThat(files).as("no temporary file left behind").containsExactly(file);
		}
	}

	@Test
	void shouldReadBackTheFingerprintOfWhatConsumersWouldReadAndRefuseWhenNothingIsThere() {
		FileSecretSink sink = new FileSecretSink(this.directory);
		SecretMaterial material = SecretMaterial.generate();
		String fingerprint = material.fingerprint();

		assertThatThrownBy(() -> sink.deliveredFingerprint("kc-prod", "payments-client"))
			.isInstanceOf(SecretDeliveryException.class)
			.hasMessageContaining("payments-client");
		sink.deliver("kc-prod", "payments-client", material);

		assertThat(sink.deliveredFingerprint("kc-prod", "payments-client")).contains(fingerprint);
	}

	@Test
	void shouldRefuseNamesThatWouldLeaveTheDirectory() {
		FileSecretSink sink = new FileSecretSink(this.directory);

		assertThatThrownBy(() -> sink.deliver("kc-prod", "../../etc/cron.d/x", SecretMaterial.generate()))
			.isInstanceOf(SecretDeliveryException.class);
		assertThatThrownBy(() -> sink.deliver("..", "x", SecretMaterial.generate()))
			.isInstanceOf(SecretDeliveryException.class);
	}

	@Test
	void shouldNeverPrintTheMaterial() {
		SecretMaterial material = SecretMaterial.generate();

		assertThat(material.toString()).isEqualTo("(secret)");
		assertThat(material.fingerprint()).startsWith("sha256:").doesNotContain(material.reveal());
		assertThat(material.reveal()).hasSize(43);
	}

}
