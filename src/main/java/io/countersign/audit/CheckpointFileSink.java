package io.countersign.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * The checkpoints outside the database: {@code checkpoints.ndjson}, one JSON line per checkpoint, only ever opened
 * for appending and forced to disk before the line counts as written. Point the directory at storage the database
 * operator cannot rewrite (another host's mount, a WORM bucket's sync folder) and every checkpoint survives an
 * attack on the database.
 */
final class CheckpointFileSink {

	static final String FILE_NAME = "checkpoints.ndjson";

	private final Path file;

	CheckpointFileSink(Path directory) {
		this.file = directory.resolve(FILE_NAME);
	}

	Path file() {
		return this.file;
	}

	synchronized void append(Checkpoint checkpoint) throws IOException {
		byte[] line;
		try {
			line = (LedgerHashes.JSON.writeValueAsString(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A checkpoint cannot be written as JSON", ex);
		}
		Path parent = this.file.toAbsolutePath().getParent();
		if (parent != null) {
			Files.createDirectories(parent);
		}
		try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND)) {
			ByteBuffer buffer = ByteBuffer.wrap(line);
			while (buffer.hasRemaining()) {
				channel.write(buffer);
			}
			channel.force(true);
		}
	}

}
