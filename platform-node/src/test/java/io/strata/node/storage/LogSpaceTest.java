package io.strata.node.storage;

import com.google.protobuf.ByteString;
import io.strata.node.kv.internal.ProtoKeys;
import io.strata.node.common.StrataException;
import io.strata.node.kv.proto.LogEntry;
import io.strata.node.kv.proto.PutOp;
import io.strata.node.testing.Await;
import io.strata.node.testing.SmallFilesystem;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A log on a real, small filesystem that fills up: appends are refused with {@code storage_full}
 * before anything is written, never crash the JVM (a memory-mapped write into a hole the
 * filesystem cannot back would be a SIGBUS, and this test's own JVM would die), and every entry
 * appended before the refusal reads back exactly; once space is freed, appends work again. The
 * reserve refuses first; with no reserve, the backing of each append's bytes, and the free-space
 * check before a log starts a file, still do.
 */
class LogSpaceTest {

    private static final int VALUE_BYTES = 100 << 10;

    @TempDir
    Path dir;

    private SmallFilesystem fs;

    @AfterEach
    void unmount() throws Exception {
        if (fs != null) {
            fs.close();
        }
    }

    @Test
    void theReserveRefusesAppendsBeforeTheDiskIsFullAndFreedSpaceLetsThemIn() throws Exception {
        fs = SmallFilesystem.mount(dir.resolve("mnt"), 16);
        Path ballast = fs.root().resolve("ballast");
        fs.fill(ballast, 4 << 20);
        DiskSpace space = DiskSpace.of(fs.root(), 2 << 20, Duration.ofSeconds(1));
        List<byte[]> acknowledged = new ArrayList<>();
        StrataException refused;
        try (EntryLog<LogEntry> log = EntryLog.open(fs.root().resolve("log"), RollCycles.FAST_HOURLY, LogEntry.parser(), space)) {
            refused = appendUntilRefused(log, acknowledged, 200);
            assertTrue(fs.freeBytes() >= (1 << 20), "the reserve was kept free: " + fs.freeBytes() + " bytes left");

            Files.delete(ballast);
            log.append(entry(acknowledged.size() + 1, value(acknowledged.size())));
            acknowledged.add(value(acknowledged.size()));
        }
        assertEquals(DiskSpace.STORAGE_FULL, refused.code());
        assertEquals(StrataException.Kind.INSUFFICIENT_STORAGE, refused.kind());
        assertTrue(acknowledged.size() > 50, "about 10 MiB of entries fit: " + acknowledged.size());
        assertReadsBack(fs.root().resolve("log"), acknowledged, space);
    }

    @Test
    void aFilesystemFilledFromOutsideRefusesTheAppendInsteadOfCrashing() throws Exception {
        fs = SmallFilesystem.mount(dir.resolve("mnt"), 16);
        // No reserve: only the allocation before each write stands between the mapping and a hole.
        DiskSpace space = DiskSpace.of(fs.root(), 0, Duration.ofSeconds(1));
        List<byte[]> acknowledged = new ArrayList<>();
        Path ballast = fs.root().resolve("ballast");
        StrataException refused;
        try (EntryLog<LogEntry> log = EntryLog.open(fs.root().resolve("log"), RollCycles.FAST_HOURLY, LogEntry.parser(), space)) {
            for (int i = 0; i < 3; i++) {
                log.append(entry(i + 1, value(i)));
                acknowledged.add(value(i));
            }
            fs.fill(ballast, Long.MAX_VALUE);
            assertEquals(0, fs.freeBytes());
            refused = appendUntilRefused(log, acknowledged, 50);
            // Refused, and refused again: the log is as it was, and stays usable.
            assertThrows(StrataException.class, () -> log.append(entry(1000, value(1000))));

            Files.delete(ballast);
            log.append(entry(acknowledged.size() + 1, value(acknowledged.size())));
            acknowledged.add(value(acknowledged.size()));
        }
        assertEquals(DiskSpace.STORAGE_FULL, refused.code());
        assertReadsBack(fs.root().resolve("log"), acknowledged, space);
    }

    @Test
    void aLogThatWouldStartAFileOnAFullDiskRefusesInsteadOfCrashing() throws Exception {
        fs = SmallFilesystem.mount(dir.resolve("mnt"), 16);
        DiskSpace space = DiskSpace.of(fs.root(), 0, Duration.ofSeconds(1));
        Path ballast = fs.root().resolve("ballast");
        List<byte[]> acknowledged = new ArrayList<>();
        // A cycle a second: the log starts a new file within the test, with the disk full.
        try (EntryLog<LogEntry> log = EntryLog.open(fs.root().resolve("log"), TestRollCycles.TEST_SECONDLY, LogEntry.parser(),
                space)) {
            log.append(entry(1, value(1)));
            acknowledged.add(value(1));
            fs.fill(ballast, Long.MAX_VALUE);
            StrataException newLog = assertThrows(StrataException.class,
                    () -> EntryLog.open(fs.root().resolve("other"), RollCycles.FAST_HOURLY, LogEntry.parser(), space));
            assertEquals(DiskSpace.STORAGE_FULL, newLog.code());
            StrataException refused = Await.until(Duration.ofSeconds(10), () -> {
                byte[] small = new byte[100];
                try {
                    log.append(entry(acknowledged.size() + 1, small));
                    acknowledged.add(small);
                    return null;
                } catch (StrataException e) {
                    return e;
                }
            }, e -> e != null, e -> acknowledged.size() + " small entries appended, none refused");
            assertEquals(DiskSpace.STORAGE_FULL, refused.code());
            Files.delete(ballast);
        }
        List<byte[]> read = new ArrayList<>();
        try (EntryLog<LogEntry> log = EntryLog.open(fs.root().resolve("log"), TestRollCycles.TEST_SECONDLY, LogEntry.parser(),
                space)) {
            log.replayAfter(-1, e -> read.add(e.getPut().getValue().toByteArray()));
        }
        assertEquals(acknowledged.size(), read.size());
    }

    @ParameterizedTest(name = "fallocate {0}")
    @ValueSource(booleans = {true, false})
    void theAllocatorBacksAheadAndNeverTouchesWrittenBytes(boolean fallocate) throws Exception {
        fs = SmallFilesystem.mount(dir.resolve("mnt"), 2);
        File file = fs.root().resolve("log.cq4").toFile();
        byte[] written = new byte[10_000];
        new SplittableRandom(7).nextBytes(written);
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(written), 0);
        }
        MappedLogAllocator allocator = new MappedLogAllocator(DiskSpace.of(fs.root(), 0, Duration.ofSeconds(1)), fallocate);
        long freeBefore = fs.freeBytes();
        allocator.ensure(file, written.length, 1000);
        assertTrue(freeBefore - fs.freeBytes() >= MappedLogAllocator.SLACK,
                "backed ahead: " + (freeBefore - fs.freeBytes()) + " bytes taken");
        IOException full = assertThrows(IOException.class, () -> allocator.ensure(file, written.length, 4 << 20));
        assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
        assertTrue(DiskSpace.isOutOfSpace(full));
        byte[] head = new byte[written.length];
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            channel.read(ByteBuffer.wrap(head), 0);
        }
        assertArrayEquals(written, head);
    }

    /** Appends 100 KiB entries until one is refused (failing after {@code limit}); returns the refusal. */
    private static StrataException appendUntilRefused(EntryLog<LogEntry> log, List<byte[]> acknowledged, int limit) {
        for (int attempt = 0; attempt < limit; attempt++) {
            byte[] value = value(acknowledged.size());
            try {
                log.append(entry(acknowledged.size() + 1, value));
            } catch (StrataException e) {
                return e;
            }
            acknowledged.add(value);
        }
        throw new AssertionError("no append was refused in " + limit + " attempts");
    }

    private static void assertReadsBack(Path logDir, List<byte[]> acknowledged, DiskSpace space) {
        List<byte[]> read = new ArrayList<>();
        try (EntryLog<LogEntry> log = EntryLog.open(logDir, RollCycles.FAST_HOURLY, LogEntry.parser(), space)) {
            log.replayAfter(-1, e -> read.add(e.getPut().getValue().toByteArray()));
        }
        assertEquals(acknowledged.size(), read.size(), "entries read back");
        for (int i = 0; i < read.size(); i++) {
            assertArrayEquals(acknowledged.get(i), read.get(i), "entry " + i);
        }
    }

    private static LogEntry entry(long seq, byte[] value) {
        return LogEntry.newBuilder().setSeq(seq)
                .setPut(PutOp.newBuilder().setKey(ProtoKeys.of("k" + seq)).setValue(ByteString.copyFrom(value))).build();
    }

    private static byte[] value(int i) {
        byte[] value = new byte[VALUE_BYTES];
        new SplittableRandom(i).nextBytes(value);
        return value;
    }
}
