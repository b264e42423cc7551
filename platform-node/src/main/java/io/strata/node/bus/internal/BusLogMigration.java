package io.strata.node.bus.internal;

import io.strata.node.bus.proto.BusRecord;
import io.strata.node.log.LogConfig;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DiskSpace;
import net.openhft.chronicle.queue.RollCycle;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.List;

/**
 * Moves a topic partition's log of the format before the partition log ({@link BusLog}: one
 * Protobuf record per Chronicle entry) into a {@link PartitionLog}, at the partition's first open
 * by this version. Offsets, timestamps, keys, values, formats and headers stay as they were.
 *
 * <p>Crash-safe: the new log is built beside the old one ({@code <dir>.migrating}); only when it is
 * complete is the old one renamed away ({@code <dir>.v1}) and the new one into its place, then the
 * old one deleted. A start that finds the directories part-way through any step finishes or
 * restarts the migration; the old records are never deleted before the new log holds them.
 */
public final class BusLogMigration {

    private static final Logger LOG = LoggerFactory.getLogger(BusLogMigration.class);
    private static final int COPY_RECORDS = 1000;
    private static final int COPY_BYTES = 4 << 20;

    private BusLogMigration() {}

    /** Migrates the partition log in {@code dir} if it is of the older format, finishing an interrupted migration first. */
    public static void migrateIfNeeded(Path dir, RollCycle oldRollCycle, LogConfig config, DiskSpace space, InstantSource clock) {
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
            long copied = copy(dir, staging, oldRollCycle, config, space, clock);
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsync(dir.getParent());
            Directories.deleteTree(old);
            LOG.info("topic partition log {} moved to the partition log format: {} records", dir, copied);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot migrate the topic partition log in " + dir, e);
        }
    }

    private static long copy(Path dir, Path staging, RollCycle oldRollCycle, LogConfig config, DiskSpace space, InstantSource clock) {
        Directories.deleteTree(staging);
        long copied = 0;
        try (BusLog from = BusLog.open(dir, oldRollCycle, space);
             PartitionLog to = PartitionLog.open(staging, config, space, clock)) {
            long offset = from.logStartOffset();
            if (offset > 0) {
                to.startAt(offset);
            }
            while (offset < from.logEndOffset()) {
                BusLog.Slice slice = from.read(offset, COPY_RECORDS, COPY_BYTES);
                List<BusRecord> records = slice.records();
                MemoryRecords batch = RecordBatches.encode(records, 0, COPY_BYTES);
                // Each batch keeps the offsets the records had; epoch 0, the one every bus batch has today.
                long base = offset;
                for (MutableRecordBatch b : batch.batches()) {
                    b.setLastOffset(base + (b.lastOffset() - b.baseOffset()));
                    b.setPartitionLeaderEpoch(0);
                    base = b.lastOffset() + 1;
                }
                to.appendAsFollower(batch);
                copied += records.size();
                offset = slice.nextOffset();
            }
            to.flush();
        }
        return copied;
    }
}
