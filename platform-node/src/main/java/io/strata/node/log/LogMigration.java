package io.strata.node.log;

import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DiskSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;

/**
 * Moves a log of a format from before the partition log into a {@link PartitionLog} in the same
 * directory, at its first open by this version; what a record holds and its order stay as they were.
 *
 * <p>Crash-safe: the new log is built beside the old one ({@code <dir>.migrating}); only when it is
 * complete is the old one renamed away ({@code <dir>.v1}) and the new one into its place, then the
 * old one deleted. A start that finds the directories part-way through any step finishes or
 * restarts the migration; the old records are never deleted before the new log holds them.
 */
public final class LogMigration {

    private static final Logger LOG = LoggerFactory.getLogger(LogMigration.class);

    /** Copies every record of the old log in {@code oldDir} into {@code to} (new and empty); returns how many. */
    @FunctionalInterface
    public interface Copier {
        long copy(Path oldDir, PartitionLog to);
    }

    private LogMigration() {}

    /**
     * Migrates the log in {@code dir} if it is of an older format (neither missing, empty nor a
     * partition log), finishing an interrupted migration first. Blocking file I/O.
     */
    public static void migrateIfNeeded(Path dir, LogConfig config, DiskSpace space, InstantSource clock, Copier copier) {
        Path staging = dir.resolveSibling(dir.getFileName() + ".migrating");
        Path old = dir.resolveSibling(dir.getFileName() + ".v1");
        try {
            if (!Files.exists(dir) && Files.exists(old) && Files.exists(staging)) {
                // Stopped between the two renames: the staged log is complete.
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsync(dir.getParent());
            }
            Directories.deleteTree(old);
            if (Directories.isMissingOrEmpty(dir) || PartitionLog.holdsPartitionLog(dir)) {
                Directories.deleteTree(staging);
                return;
            }
            Directories.deleteTree(staging);
            long copied;
            try (PartitionLog to = PartitionLog.open(staging, config, space, clock)) {
                copied = copier.copy(dir, to);
                to.flush();
            }
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsync(dir.getParent());
            Directories.deleteTree(old);
            LOG.info("log {} moved to the partition log format: {} records", dir, copied);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot migrate the log in " + dir, e);
        }
    }
}
