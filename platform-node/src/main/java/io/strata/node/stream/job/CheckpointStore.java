package io.strata.node.stream.job;

import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DiskSpace;
import io.strata.node.stream.proto.JobCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A job's latest checkpoint, in {@code checkpoint.pb} of the job's directory ({@code DataLayout#jobDir}), replaced atomically and
 * durably (temporary file, fsync, rename): a crash leaves the previous checkpoint or the new one.
 * One job writes its own; {@link #delete} may come from another thread while a save is under way,
 * and wins: no save writes after it (so a deleted job's last save cannot seed a new job of its name).
 */
final class CheckpointStore {

    private static final String FILE = "checkpoint.pb";

    private final Path dir;
    private final DiskSpace space;
    private boolean deleted;

    CheckpointStore(Path dir, DiskSpace space) {
        this.dir = dir;
        this.space = space;
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

    /**
     * Replaces the checkpoint; returns once it is durable.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when the disk has no room for it
     * @throws IllegalStateException once the checkpoint has been deleted
     */
    synchronized void save(JobCheckpoint checkpoint) {
        if (deleted) {
            throw new IllegalStateException("the job was deleted; its checkpoint " + dir + " is not written again");
        }
        space.claim(checkpoint.getSerializedSize());
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(FILE), out -> checkpoint.writeTo(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of " + dir, e);
        }
    }

    /** Deletes the job's directory (the job was deleted); later saves through this store are refused. */
    synchronized void delete() {
        deleted = true;
        Directories.deleteTree(dir);
    }
}
