package io.strata.node.bus.internal;

import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.log.LogConfig;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DiskSpace;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic partition log written by the previous version ({@link BusLog}, one Protobuf record per
 * entry) moves into the partition log at first open with every record as it was, and a migration
 * stopped at any step finishes at the next.
 */
class BusLogMigrationTest {

    private static final LogConfig CONFIG = LogConfig.of(RollCycles.FAST_HOURLY);

    @TempDir
    Path dir;

    private DiskSpace space() {
        return DiskSpace.of(dir, 0, Duration.ofSeconds(1));
    }

    private static BusRecord record(int i) {
        BusRecord.Builder record = BusRecord.newBuilder().setTimestampMs(1_000 + i).setValue(ByteString.copyFromUtf8("v" + i));
        if (i % 3 == 0) {
            record.setKey("key-" + i).setFormat(ValueFormat.TEXT).putHeaders("trace", "t" + i);
        } else if (i % 3 == 1) {
            record.setFormat(ValueFormat.JSON).setValue(ByteString.copyFromUtf8("{\"n\":" + i + "}"));
        }
        return record.build();
    }

    /** An old-format log holding records 0..total-1 of which the first {@code deleted} are gone. */
    private List<BusRecord> writeOldLog(Path log, int total) {
        List<BusRecord> written = new ArrayList<>();
        try (BusLog old = BusLog.open(log, RollCycles.FAST_HOURLY, space())) {
            for (int i = 0; i < total; i += 7) {
                List<BusRecord> batch = new ArrayList<>();
                for (int j = i; j < Math.min(total, i + 7); j++) {
                    batch.add(record(j));
                }
                old.append(batch);
                for (BusRecord r : batch) {
                    written.add(r.toBuilder().setOffset(written.size()).build());
                }
            }
        }
        return written;
    }

    private List<BusRecord> readAll(Path log) {
        try (PartitionLog migrated = PartitionLog.open(log, CONFIG, space(), Clock.systemUTC())) {
            RecordBatches.Decoded decoded = RecordBatches.decode(migrated.read(migrated.logStartOffset(), 1 << 24).records(),
                    migrated.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE);
            assertEquals(migrated.logEndOffset(), decoded.nextOffset(), "every record read back");
            return decoded.records();
        }
    }

    @Test
    void everyRecordMovesWithItsOffsetTimestampKeyFormatAndHeaders() {
        Path log = dir.resolve("topic").resolve("0");
        List<BusRecord> written = writeOldLog(log, 100);
        assertFalse(PartitionLog.holdsPartitionLog(log));
        BusLogMigration.migrateIfNeeded(log, RollCycles.FAST_HOURLY, CONFIG, space(), Clock.systemUTC());
        assertTrue(PartitionLog.holdsPartitionLog(log));
        assertEquals(written, readAll(log));
        assertFalse(Files.exists(dir.resolve("topic").resolve("0.v1")));
        assertFalse(Files.exists(dir.resolve("topic").resolve("0.migrating")));
        BusLogMigration.migrateIfNeeded(log, RollCycles.FAST_HOURLY, CONFIG, space(), Clock.systemUTC());
        assertEquals(written, readAll(log), "a second start changes nothing");
    }

    @Test
    void aMigrationStoppedBetweenItsRenamesFinishes() {
        Path log = dir.resolve("topic").resolve("0");
        List<BusRecord> written = writeOldLog(log, 30);
        BusLogMigration.migrateIfNeeded(log, RollCycles.FAST_HOURLY, CONFIG, space(), Clock.systemUTC());
        // As if the node died after the old log was renamed away and before the new one took its place.
        Path old = dir.resolve("topic").resolve("0.v1");
        Path staging = dir.resolve("topic").resolve("0.migrating");
        writeOldLog(old, 30);
        try {
            Files.move(log, staging);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        BusLogMigration.migrateIfNeeded(log, RollCycles.FAST_HOURLY, CONFIG, space(), Clock.systemUTC());
        assertEquals(written, readAll(log));
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(staging));
    }

    @Test
    void aPartlyBuiltNewLogIsBuiltAgainFromTheOldOne() throws Exception {
        Path log = dir.resolve("topic").resolve("0");
        List<BusRecord> written = writeOldLog(log, 30);
        Path staging = dir.resolve("topic").resolve("0.migrating");
        try (PartitionLog partial = PartitionLog.open(staging, CONFIG, space(), Clock.systemUTC())) {
            partial.startAt(5);
        }
        BusLogMigration.migrateIfNeeded(log, RollCycles.FAST_HOURLY, CONFIG, space(), Clock.systemUTC());
        assertEquals(written, readAll(log));
        assertFalse(Files.exists(staging));
        Directories.deleteTree(log);
    }
}
