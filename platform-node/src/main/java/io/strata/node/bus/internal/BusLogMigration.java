package io.strata.node.bus.internal;

import io.strata.node.bus.proto.BusRecord;
import io.strata.node.log.LogConfig;
import io.strata.node.log.LogMigration;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.DiskSpace;
import net.openhft.chronicle.queue.RollCycle;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;

/**
 * Moves a topic partition's log of the format before the partition log ({@link BusLog}: one
 * Protobuf record per Chronicle entry) into a {@link PartitionLog}, at the partition's first open
 * by this version. Offsets, timestamps, keys, values, formats and headers stay as they were.
 *
 * <p>Crash-safe as every {@link LogMigration}.
 */
public final class BusLogMigration {

    private static final int COPY_RECORDS = 1000;
    private static final int COPY_BYTES = 4 << 20;

    private BusLogMigration() {}

    /** Migrates the partition log in {@code dir} if it is of the older format, finishing an interrupted migration first. */
    public static void migrateIfNeeded(Path dir, RollCycle oldRollCycle, LogConfig config, DiskSpace space, InstantSource clock) {
        LogMigration.migrateIfNeeded(dir, config, space, clock, (oldDir, to) -> copy(oldDir, to, oldRollCycle, space));
    }

    private static long copy(Path dir, PartitionLog to, RollCycle oldRollCycle, DiskSpace space) {
        long copied = 0;
        try (BusLog from = BusLog.open(dir, oldRollCycle, space)) {
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
        }
        return copied;
    }
}
