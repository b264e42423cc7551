package io.strata.node.storage;

import io.strata.node.log.LogConfig;
import io.strata.node.log.LogMigration;
import io.strata.node.log.PartitionLog;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves an entry log of the format before the partition log ({@link LegacyEntryLog}: one Protobuf
 * entry per Chronicle excerpt) into a {@link PartitionLog}, at its first open by this version: each
 * entry becomes one record, in order, from offset 0. Positions in the old log (Chronicle indices)
 * do not carry over; a store that kept one (a KV snapshot) finds its place again by what its
 * entries hold. Crash-safe as every {@link LogMigration}.
 */
final class EntryLogMigration {

    private static final int COPY_BYTES = 1 << 20;

    private EntryLogMigration() {}

    /** Migrates the log in {@code dir} if it is of the older format, finishing an interrupted migration first. Blocking. */
    static void migrateIfNeeded(Path dir, LogConfig config, DiskSpace space, InstantSource clock) {
        LogMigration.migrateIfNeeded(dir, config, space, clock, (oldDir, to) -> copy(oldDir, to, config, space, clock));
    }

    private static long copy(Path dir, PartitionLog to, LogConfig config, DiskSpace space, InstantSource clock) {
        List<byte[]> pending = new ArrayList<>();
        long[] pendingBytes = {0};
        long copied;
        try (LegacyEntryLog from = LegacyEntryLog.open(dir, config.rollCycle(), space)) {
            copied = from.forEachEntry(entry -> {
                if (!pending.isEmpty() && pendingBytes[0] + entry.length > COPY_BYTES) {
                    append(to, pending, config, clock);
                    pendingBytes[0] = 0;
                }
                pending.add(entry);
                pendingBytes[0] += entry.length;
            });
        }
        if (!pending.isEmpty()) {
            append(to, pending, config, clock);
        }
        return copied;
    }

    private static void append(PartitionLog to, List<byte[]> entries, LogConfig config, InstantSource clock) {
        MemoryRecords records = EntryLog.encode(entries, clock.millis(), config.maxBatchBytes());
        to.appendAsLeader(records, 0);
        entries.clear();
    }
}
