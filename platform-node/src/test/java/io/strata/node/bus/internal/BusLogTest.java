package io.strata.node.bus.internal;

import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.storage.DiskSpace;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The partition log on a real Chronicle queue with secondly roll cycles, so tests cross cycles quickly. */
class BusLogTest {

    @TempDir
    Path dir;

    private DiskSpace space() {
        return DiskSpace.of(dir.getParent(), 0, Duration.ofSeconds(1));
    }

    private static BusRecord record(String value) {
        return BusRecord.newBuilder().setValue(ByteString.copyFromUtf8(value)).setTimestampMs(1).build();
    }

    /** Appends one record per batch, pausing so the log rolls to a new cycle now and then. */
    private static void appendAcrossCycles(BusLog log, int from, int count) throws InterruptedException {
        for (int i = from; i < from + count; i++) {
            assertEquals(i, log.append(List.of(record("v" + i))));
            if (i % 10 == 9) {
                Thread.sleep(1_100); // the roll cycle is one second
            }
        }
    }

    private static List<String> values(BusLog.Slice slice) {
        List<String> values = new ArrayList<>();
        slice.records().forEach(r -> values.add(r.getValue().toStringUtf8()));
        return values;
    }

    @Test
    void offsetsAreDenseAcrossCyclesAndRestarts() throws Exception {
        try (BusLog log = BusLog.open(dir, TestRollCycles.TEST_SECONDLY, space())) {
            appendAcrossCycles(log, 0, 25);
            assertTrue(log.files() >= 3, "the log rolled: " + log.files() + " files");
            assertEquals(25, log.logEndOffset());
            for (int start : new int[]{0, 9, 10, 11, 19, 20, 24}) {
                BusLog.Slice slice = log.read(start, 1000, Long.MAX_VALUE);
                assertEquals(25 - start, slice.records().size());
                for (int i = 0; i < slice.records().size(); i++) {
                    assertEquals(start + i, slice.records().get(i).getOffset());
                    assertEquals("v" + (start + i), slice.records().get(i).getValue().toStringUtf8());
                }
                assertEquals(25, slice.nextOffset());
            }
        }
        try (BusLog reopened = BusLog.open(dir, TestRollCycles.TEST_SECONDLY, space())) {
            assertEquals(0, reopened.logStartOffset());
            assertEquals(25, reopened.logEndOffset(), "offsets continue where they stopped");
            assertEquals(25, reopened.append(List.of(record("v25"), record("v26"))));
            assertEquals(List.of("v19", "v20", "v21"), values(reopened.read(19, 3, Long.MAX_VALUE)));
            assertEquals(List.of("v24", "v25", "v26"), values(reopened.read(24, 100, Long.MAX_VALUE)));
        }
    }

    @Test
    void readsAreBoundedAndOffsetsOutsideTheLogAreRefused() {
        try (BusLog log = BusLog.open(dir, TestRollCycles.TEST_SECONDLY, space())) {
            log.append(List.of(record("a"), record("bb"), record("ccc"), record("dddd")));
            assertEquals(List.of("a", "bb"), values(log.read(0, 2, Long.MAX_VALUE)));
            assertEquals(List.of("a", "bb"), values(log.read(0, 100, 3)), "stops once the byte budget is reached");
            assertEquals(List.of("ccc"), values(log.read(2, 100, 1)), "always returns at least one record");
            BusLog.Slice atEnd = log.read(4, 100, Long.MAX_VALUE);
            assertTrue(atEnd.records().isEmpty());
            assertEquals(4, atEnd.nextOffset());
            var beyond = assertThrows(io.strata.node.log.OffsetOutOfRange.class, () -> log.read(5, 1, Long.MAX_VALUE));
            assertEquals(4, beyond.latest());
            assertThrows(io.strata.node.log.OffsetOutOfRange.class, () -> log.read(-1, 1, Long.MAX_VALUE));
        }
    }

    @Test
    void retentionDeletesWholeOldCyclesButNeverTheActiveOne() throws Exception {
        try (BusLog log = BusLog.open(dir, TestRollCycles.TEST_SECONDLY, space())) {
            appendAcrossCycles(log, 0, 30);
            int files = log.files();
            assertTrue(files >= 3);
            // Everything older than 1.5 s goes: all but the newest cycle or two.
            int deleted = log.applyRetention(System.currentTimeMillis(), Duration.ofMillis(1_500), 0);
            assertTrue(deleted >= 1, "old cycles deleted");
            long start = log.logStartOffset();
            // Cycles follow the wall clock, so a burst of appends may straddle two: check the boundary by reading.
            assertTrue(start > 0, "retention advanced the start of the log: " + start);
            assertThrows(io.strata.node.log.OffsetOutOfRange.class, () -> log.read(start - 1, 1, Long.MAX_VALUE));
            var gone = assertThrows(io.strata.node.log.OffsetOutOfRange.class, () -> log.read(0, 10, Long.MAX_VALUE));
            assertEquals(start, gone.earliest(), "the error names the earliest offset");
            assertTrue(gone.getMessage().contains(Long.toString(start)));
            assertEquals("v" + start, values(log.read(start, 1, Long.MAX_VALUE)).get(0));

            // A retention of one byte deletes every cycle but the active one.
            log.applyRetention(System.currentTimeMillis(), Duration.ZERO, 1);
            assertEquals(1, log.files());
            assertEquals(30, log.logEndOffset());
        }
        try (BusLog reopened = BusLog.open(dir, TestRollCycles.TEST_SECONDLY, space())) {
            assertEquals(30, reopened.logEndOffset(), "offsets survive retention and restart");
            assertTrue(reopened.logStartOffset() >= 20);
            assertEquals(30, reopened.append(List.of(record("v30"))));
        }
    }
}
