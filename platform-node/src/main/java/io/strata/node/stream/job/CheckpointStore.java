package io.strata.node.stream.job;

import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.Directories;
import io.strata.node.stream.proto.JobCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A job's latest checkpoint, in {@code checkpoint.pb} of the job's directory ({@code DataLayout#jobDir}), replaced atomically and
 * durably (temporary file, fsync, rename): a crash leaves the previous checkpoint or the new one.
 * Not thread-safe: one job writes its own.
 */
final class CheckpointStore {

    private static final String FILE = "checkpoint.pb";

    private final Path dir;

    CheckpointStore(Path dir) {
        this.dir = dir;
    }

    /** The latest checkpoint, or empty for a job that has none yet. */
    Optional<JobCheckpoint> load() {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JobCheckpoint.parseFrom(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint " + file, e);
        }
    }

    /** Replaces the checkpoint; returns once it is durable. */
    void save(JobCheckpoint checkpoint) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(FILE), out -> checkpoint.writeTo(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of " + dir, e);
        }
    }

    /** Deletes the job's directory (the job was deleted). */
    void delete() {
        Directories.deleteTree(dir);
    }
}
