package io.strata.node.log;

import io.strata.node.common.StrataException;
import io.strata.node.storage.DiskSpace;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.OptionalLong;
import java.util.TimeZone;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partition log on a real Chronicle queue, in the manner of Kafka's {@code LocalLogTest} and
 * {@code LogLoaderTest}: appends, reads across files, truncation, lookups by time, retention and
 * recovery of torn and corrupt tails, with an injected clock that rolls files without sleeping.
 */
class PartitionLogTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private volatile long millis;

        TestClock(long millis) {
            this.millis = millis;
        }

        void advance(Duration by) {
            millis += by.toMillis();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Files roll every second of the test clock. */
    private static final LogConfig CONFIG = LogConfig.of(TestRollCycles.TEST_SECONDLY).withIndexIntervalBytes(256);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open() {
        return open(CONFIG);
    }

    private PartitionLog open(LogConfig config) {
        PartitionLog log = PartitionLog.open(dir.resolve("log"), config, DiskSpace.of(dir, 0, Duration.ofSeconds(1)), clock);
        opened.add(log);
        return log;
    }

    private void close(PartitionLog log) {
        log.close();
        opened.remove(log);
    }

    private static MemoryRecords batch(String... values) {
        return batchAt(0, values);
    }

    private static MemoryRecords batchAt(long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8), values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** Every record's value from {@code offset}, reading to the high watermark. */
    private static List<String> valuesFrom(PartitionLog log, long offset) {
        List<String> values = new ArrayList<>();
        try (LogReader reader = log.newReader()) {
            long next = offset;
            while (next < log.highWatermark()) {
                FetchData data = reader.read(next, 1 << 16);
                for (RecordBatch batch : data.records().batches()) {
                    for (Record record : batch) {
                        if (record.offset() >= next) {
                            values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
                        }
                    }
                }
                next = data.nextOffset();
            }
        }
        return values;
    }

    @Test
    void aReadSizesItsBufferForWhatItReadsNotForItsBudget() {
        PartitionLog log = open();
        String value = "x".repeat(100);
        for (int i = 0; i < 2_000; i++) {
            log.appendAsLeader(batch(value, value, value, value, value), 0);
        }
        // Ten batches of a 10,000-record log, under a budget of 64 MiB: a buffer for ten batches.
        FetchData few = log.read(0, 64 << 20, 50);
        assertEquals(10, few.nextOffset() / 5);
        int tenBatches = few.records().sizeInBytes();
        assertTrue(few.records().buffer().capacity() <= Math.max(8 << 10, 2 * tenBatches),
                "capacity " + few.records().buffer().capacity() + " for " + tenBatches + " bytes");
        // All of it under a 1 MiB budget: the buffer is the budget's, grown not at all.
        FetchData all = log.read(0, 1 << 20);
        assertTrue(all.records().sizeInBytes() > (1 << 19), "most of the budget: " + all.records().sizeInBytes());
        assertTrue(all.records().buffer().capacity() <= 1 << 20, "capacity " + all.records().buffer().capacity());
    }

    @Test
    void appendsGetDenseOffsetsAndTheLeaderEpoch() {
        PartitionLog log = open();
        AppendInfo first = log.appendAsLeader(batch("a", "b", "c"), 3);
        AppendInfo second = log.appendAsLeader(batch("d"), 3);
        assertEquals(0, first.firstOffset());
        assertEquals(2, first.lastOffset());
        assertEquals(3, second.firstOffset());
        assertEquals(4, log.logEndOffset());
        assertEquals(4, log.highWatermark(), "visible at once on append");
        FetchData data = log.read(0, 1 << 20);
        List<Long> bases = new ArrayList<>();
        for (RecordBatch batch : data.records().batches()) {
            assertTrue(batch.isValid(), "the stored batch keeps a valid CRC");
            assertEquals(3, batch.partitionLeaderEpoch());
            bases.add(batch.baseOffset());
        }
        assertEquals(List.of(0L, 3L), bases);
        assertEquals(List.of("a", "b", "c", "d"), valuesFrom(log, 0));
        assertEquals(3, log.latestEpoch());
    }

    @Test
    void readsReturnTheStoredBytesAsTheyAre() {
        PartitionLog log = open();
        MemoryRecords produced = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8), "compressed".getBytes(StandardCharsets.UTF_8)));
        log.appendAsLeader(produced, 0);
        ByteBuffer stored = log.read(0, 1 << 20).records().buffer();
        ByteBuffer expected = produced.buffer().duplicate();
        byte[] a = new byte[expected.remaining()];
        expected.get(a);
        byte[] b = new byte[stored.remaining()];
        stored.get(b);
        assertArrayEquals(a, b, "a compressed batch is stored and served byte for byte");
    }

    @Test
    void aReadStartsAtTheBatchHoldingTheOffsetAndKeepsToTheByteBudget() {
        PartitionLog log = open();
        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(batch("v" + (2 * i), "v" + (2 * i + 1)), 0);
        }
        FetchData middle = log.read(7, 1);
        List<RecordBatch> batches = new ArrayList<>();
        middle.records().batches().forEach(batches::add);
        assertEquals(1, batches.size(), "at least one batch, however small the budget");
        assertEquals(6, batches.get(0).baseOffset(), "the whole batch that holds offset 7");
        assertEquals(8, middle.nextOffset());
        FetchData upToFive = log.read(1, 1 << 20, 5);
        assertEquals(6, upToFive.nextOffset(), "batches 0..1, 2..3 and 4..5, none starting at 5 or later");
        int oneBatch = batches.get(0).sizeInBytes();
        FetchData three = log.read(0, oneBatch * 3 + oneBatch / 2);
        assertEquals(6, three.nextOffset(), "three batches fit the budget, the fourth does not");
        List<String> oneBatchAtATime = new ArrayList<>();
        try (LogReader reader = log.newReader()) {
            for (long next = 0; next < 40; ) {
                FetchData data = reader.read(next, 1);
                data.records().records().forEach(r -> oneBatchAtATime.add(StandardCharsets.UTF_8.decode(r.value()).toString()));
                next = data.nextOffset();
            }
        }
        assertEquals(valuesFrom(log, 0), oneBatchAtATime, "a reader that stops at its budget goes on from there");
        assertEquals(40, valuesFrom(log, 0).size());
        assertEquals("v39", valuesFrom(log, 39).get(0));
        assertTrue(log.read(40, 100).isEmpty(), "at the end: nothing yet");
        assertThrows(OffsetOutOfRange.class, () -> log.read(41, 100));
        assertThrows(OffsetOutOfRange.class, () -> log.read(-1, 100));
    }

    @Test
    void readsAtScatteredOffsetsReuseIdleReadersAndStayExact() {
        PartitionLog log = open();
        for (int i = 0; i < 200; i++) {
            log.appendAsLeader(batch("v" + i), 0);
            if (i % 50 == 49) {
                clock.advance(Duration.ofSeconds(1));
            }
        }
        java.util.Random random = new java.util.Random(17);
        for (int n = 0; n < 500; n++) {
            int offset = random.nextInt(200);
            FetchData data = log.read(offset, 1 << 16, offset + 1);
            Record first = data.records().records().iterator().next();
            assertEquals(offset, first.offset());
            assertEquals("v" + offset, StandardCharsets.UTF_8.decode(first.value()).toString());
            assertEquals(offset + 1, data.nextOffset(), "one batch of one record, up to stopAt");
        }
    }

    @Test
    void readsCrossFilesAndSurviveAReopen() {
        PartitionLog log = open();
        List<String> expected = new ArrayList<>();
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 10; i++) {
                String value = second + "-" + i;
                log.appendAsLeader(batch(value), 0);
                expected.add(value);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(5, log.files(), "the clock rolled a file a second");
        assertEquals(expected, valuesFrom(log, 0));
        close(log);
        PartitionLog reopened = open();
        assertEquals(50, reopened.logEndOffset());
        assertEquals(expected, valuesFrom(reopened, 0));
        assertEquals(expected.subList(33, 50), valuesFrom(reopened, 33));
        assertEquals(50, reopened.appendAsLeader(batch("after"), 0).firstOffset(), "offsets go on across the reopen");
    }

    @Test
    void invalidBatchesAreRefusedAndNothingIsWritten() {
        PartitionLog log = open();
        log.appendAsLeader(batch("kept"), 0);
        MemoryRecords corrupt = batch("x");
        corrupt.buffer().put(corrupt.buffer().limit() - 1, (byte) 0x55);
        StrataException crc = assertThrows(StrataException.class, () -> log.appendAsLeader(corrupt, 0));
        assertEquals("invalid_record_batch", crc.code());
        MemoryRecords whole = batch("y", "z");
        ByteBuffer cut = whole.buffer().duplicate();
        cut.limit(cut.limit() - 3);
        StrataException shortBatch = assertThrows(StrataException.class,
                () -> log.appendAsLeader(MemoryRecords.readableRecords(cut.slice()), 0));
        assertEquals("invalid_record_batch", shortBatch.code());
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord("old".getBytes()));
        assertEquals("invalid_record_batch", assertThrows(StrataException.class, () -> log.appendAsLeader(v1, 0)).code());
        PartitionLog small = log;
        MemoryRecords big = batch("x".repeat(2 << 20));
        assertEquals("record_batch_too_large", assertThrows(StrataException.class, () -> small.appendAsLeader(big, 0)).code());
        log.appendAsLeader(batch("next"), 2);
        assertEquals("fenced_leader_epoch", assertThrows(StrataException.class, () -> log.appendAsLeader(batch("old"), 1)).code());
        assertEquals(List.of("kept", "next"), valuesFrom(log, 0));
    }

    @Test
    void truncationCutsWholeBatchesAndHoldsAcrossAReopen() {
        PartitionLog log = open();
        log.appendAsLeader(batch("a", "b"), 0);
        log.appendAsLeader(batch("c", "d"), 1);
        clock.advance(Duration.ofSeconds(1));
        log.appendAsLeader(batch("e", "f"), 1);
        log.appendAsLeader(batch("g"), 2);
        assertEquals(7, log.logEndOffset());
        assertEquals(2, log.truncateTo(3), "offset 3 is in the batch at 2..3, which goes whole");
        assertEquals(2, log.logEndOffset());
        assertEquals(2, log.highWatermark());
        assertEquals(0, log.latestEpoch(), "the epochs of removed batches go too");
        assertEquals(List.of("a", "b"), valuesFrom(log, 0));
        log.appendAsLeader(batch("C", "D", "E"), 5);
        assertEquals(List.of("a", "b", "C", "D", "E"), valuesFrom(log, 0));
        assertEquals(OptionalLong.of(2), log.endOffsetForEpoch(0));
        assertEquals(OptionalLong.of(5), log.endOffsetForEpoch(5));
        // As Kafka answers OffsetsForLeaderEpoch: a skipped epoch is the one below it, up to the next's start.
        assertEquals(new EpochEnd(5, 5), log.epochEnd(5));
        assertEquals(new EpochEnd(0, 2), log.epochEnd(3));
        assertEquals(new EpochEnd(0, 2), log.epochEnd(0));
        assertEquals(EpochEnd.UNDEFINED, log.epochEnd(6));
        assertEquals(EpochEnd.UNDEFINED, log.epochEnd(-1));
        close(log);
        PartitionLog reopened = open();
        assertEquals(5, reopened.logEndOffset());
        assertEquals(List.of("a", "b", "C", "D", "E"), valuesFrom(reopened, 0));
        assertEquals(List.of("D", "E"), valuesFrom(reopened, 3));
        assertEquals(5, reopened.latestEpoch());
        assertEquals(0, reopened.truncateTo(0));
        assertEquals(List.of(), valuesFrom(reopened, 0));
        reopened.appendAsLeader(batch("fresh"), 6);
        assertEquals(List.of("fresh"), valuesFrom(reopened, 0));
    }

    @Test
    void theFirstRecordAtOrAfterATimestamp() {
        PartitionLog log = open();
        // Timestamps need not increase: the lookup is for the first record at or after the time.
        log.appendAsLeader(batchAt(1_000, "t1000", "t1001"), 0);
        log.appendAsLeader(batchAt(5_000, "t5000"), 0);
        log.appendAsLeader(batchAt(3_000, "t3000", "t3001"), 0);
        for (int i = 0; i < 50; i++) {
            log.appendAsLeader(batchAt(10_000 + i * 10L, "late" + i), 0);
        }
        assertEquals(OptionalLong.of(0), log.offsetForTimestamp(0));
        assertEquals(OptionalLong.of(1), log.offsetForTimestamp(1_001));
        assertEquals(OptionalLong.of(2), log.offsetForTimestamp(1_002), "t5000 is the first record at or after 1002");
        assertEquals(OptionalLong.of(5), log.offsetForTimestamp(5_001));
        assertEquals(OptionalLong.of(5 + 25), log.offsetForTimestamp(10_250));
        assertEquals(OptionalLong.empty(), log.offsetForTimestamp(99_999));
    }

    @Test
    void retentionDeletesWholeOldFilesAndMovesTheStart() {
        PartitionLog log = open();
        for (int second = 0; second < 4; second++) {
            log.appendAsLeader(batch("s" + second + "a", "s" + second + "b"), 0);
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(4, log.files());
        assertEquals(0, log.applyRetention(Duration.ofHours(1), 0), "nothing is old enough");
        clock.advance(Duration.ofSeconds(1));
        // Files whose second ended more than 2.5 s ago go: the first two.
        assertEquals(2, log.applyRetention(Duration.ofMillis(2_500), 0));
        assertEquals(4, log.logStartOffset());
        assertThrows(OffsetOutOfRange.class, () -> log.read(0, 100));
        assertEquals(List.of("s2a", "s2b", "s3a", "s3b"), valuesFrom(log, 4));
        clock.advance(Duration.ofDays(1));
        assertEquals(1, log.applyRetention(Duration.ofSeconds(1), 0), "never the newest file");
        assertEquals(6, log.logStartOffset());
        close(log);
        PartitionLog reopened = open();
        assertEquals(6, reopened.logStartOffset());
        assertEquals(8, reopened.logEndOffset());
        assertEquals(List.of("s3a", "s3b"), valuesFrom(reopened, 6));
    }

    @Test
    void deletedRecordsMoveTheStartDurably() {
        PartitionLog log = open();
        log.appendAsLeader(batch("a", "b", "c"), 0);
        clock.advance(Duration.ofSeconds(1));
        log.appendAsLeader(batch("d", "e"), 0);
        log.deleteRecordsBefore(4);
        assertEquals(4, log.logStartOffset());
        assertThrows(OffsetOutOfRange.class, () -> log.read(2, 100));
        assertEquals(List.of("e"), valuesFrom(log, 4));
        assertThrows(OffsetOutOfRange.class, () -> log.deleteRecordsBefore(6));
        assertEquals(1, log.applyRetention(Duration.ZERO, 0), "the file wholly below the start goes");
        close(log);
        PartitionLog reopened = open();
        assertEquals(4, reopened.logStartOffset());
        assertEquals(List.of("e"), valuesFrom(reopened, 4));
    }

    @Test
    void aReaderWaitsForTheHighWatermark() throws Exception {
        PartitionLog log = open(CONFIG.withHighWatermark(HighWatermarkPolicy.ON_FLUSH));
        CompletableFuture<Long> waiting = log.awaitHighWatermarkAbove(0, Duration.ofSeconds(30));
        log.appendAsLeader(batch("a"), 0);
        assertEquals(0, log.highWatermark(), "not visible before the flush");
        assertTrue(log.read(0, 100).isEmpty());
        assertFalse(waiting.isDone());
        assertEquals(1, log.flush());
        assertEquals(1L, waiting.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("a"), valuesFrom(log, 0));
        long before = System.nanoTime();
        assertEquals(1L, log.awaitHighWatermarkAbove(1, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS), "times out with the watermark as it is");
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(50));
        CompletableFuture<Long> atClose = log.awaitHighWatermarkAbove(1, Duration.ofMinutes(5));
        close(log);
        assertEquals(1L, atClose.get(5, TimeUnit.SECONDS), "a close wakes the waiting reader");
    }

    @Test
    void aWriterAndAWaitingReaderOnOtherThreadsSeeEveryBatchInOrder() throws Exception {
        PartitionLog log = open();
        int batches = 2_000;
        CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> {
            List<String> seen = new ArrayList<>();
            try (LogReader reader = log.newReader()) {
                long next = 0;
                while (seen.size() < batches) {
                    log.awaitHighWatermarkAbove(next, Duration.ofSeconds(10)).join();
                    FetchData data = reader.read(next, 4096);
                    data.records().records().forEach(r -> seen.add(StandardCharsets.UTF_8.decode(r.value()).toString()));
                    next = data.nextOffset();
                }
            }
            return seen;
        });
        Thread writer = new Thread(() -> {
            for (int i = 0; i < batches; i++) {
                log.appendAsLeader(batch("r" + i), 0);
                if (i % 500 == 0) {
                    clock.advance(Duration.ofSeconds(1));
                }
            }
        });
        writer.start();
        writer.join(30_000);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            expected.add("r" + i);
        }
        assertEquals(expected, read.get(30, TimeUnit.SECONDS));
    }

    @Test
    void pastTheDiskReserveAnAppendIsRefusedWholeAndReadsGoOn() {
        PartitionLog log = open();
        log.appendAsLeader(batch("before"), 0);
        close(log);
        // A reserve above what the filesystem has free: the disk counts as full.
        DiskSpace full = DiskSpace.of(dir, dir.toFile().getUsableSpace() + (1L << 40), Duration.ofSeconds(1));
        PartitionLog reopened = PartitionLog.open(dir.resolve("log"), CONFIG, full, clock);
        opened.add(reopened);
        StrataException refused = assertThrows(StrataException.class, () -> reopened.appendAsLeader(batch("a", "b"), 0));
        assertEquals(DiskSpace.STORAGE_FULL, refused.code());
        assertEquals(1, reopened.logEndOffset(), "nothing of the refused append is stored");
        assertEquals(List.of("before"), valuesFrom(reopened, 0));
    }

    @Test
    void aDirectoryOfAnotherFormatIsNotOpenedAsAPartitionLog() throws IOException {
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("20261206.cq4"), "not a partition log");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> PartitionLog.open(other, CONFIG, DiskSpace.of(dir, 0, Duration.ofSeconds(1)), clock));
        assertTrue(refused.getMessage().contains("log-format"), refused.getMessage());
        assertFalse(PartitionLog.holdsPartitionLog(other));
    }

    @Test
    void aFollowerAppendKeepsTheLeadersOffsetsAndRefusesAGap() {
        PartitionLog leader = open();
        leader.appendAsLeader(batch("a", "b"), 4);
        leader.appendAsLeader(batch("c"), 4);
        PartitionLog follower = PartitionLog.open(dir.resolve("follower"), CONFIG, DiskSpace.of(dir, 0, Duration.ofSeconds(1)), clock);
        opened.add(follower);
        follower.appendAsFollower(leader.read(0, 1 << 20).records());
        assertEquals(3, follower.logEndOffset());
        assertEquals(4, follower.latestEpoch());
        assertEquals(List.of("a", "b", "c"), valuesFrom(follower, 0));
        MemoryRecords again = leader.read(2, 1 << 20).records();
        assertEquals("invalid_record_batch", assertThrows(StrataException.class, () -> follower.appendAsFollower(again)).code());
    }

    @Test
    void aReaderFollowingTheEndReadsInPlaceOnlyWhenThatCannotBlock() throws Exception {
        PartitionLog log = open();
        log.appendAsLeader(batch("a", "b"), 0);
        assertTrue(log.readInPlace(0, 1 << 16, Long.MAX_VALUE).isEmpty(), "no reader is left at offset 0 yet");
        assertEquals(2, log.read(0, 1 << 16).nextOffset());
        assertTrue(log.readInPlace(2, 1 << 16, Long.MAX_VALUE).isEmpty(), "nothing past the high watermark");

        log.appendAsLeader(batch("c"), 0);
        FetchData inPlace = log.readInPlace(2, 1 << 16, Long.MAX_VALUE).orElseThrow(() -> new AssertionError("the reader left at 2 reads in place"));
        assertEquals(3, inPlace.nextOffset());
        assertEquals(List.of("c"), values(inPlace.records()));

        log.appendAsLeader(batch("d"), 0);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread retention = new Thread(() -> {
            log.structure().writeLock().lock();
            try {
                held.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                log.structure().writeLock().unlock();
            }
        });
        retention.start();
        held.await();
        assertTrue(log.readInPlace(3, 1 << 16, Long.MAX_VALUE).isEmpty(), "not while retention or truncation holds the files");
        done.countDown();
        retention.join();

        clock.advance(Duration.ofSeconds(1));
        log.appendAsLeader(batch("e"), 0);
        assertTrue(log.readInPlace(3, 1 << 16, Long.MAX_VALUE).isEmpty(),
                "a record in the next file would open it: that read goes to the blocking pool");
        assertEquals(List.of("d", "e"), values(log.read(3, 1 << 16).records()));

        String[] many = new String[(int) (PartitionLog.IN_PLACE_READ_BYTES / 100) + 10];
        Arrays.fill(many, "x".repeat(100));
        log.appendAsLeader(batch(many), 0);
        assertTrue(log.readInPlace(5, 1 << 20, Long.MAX_VALUE).isEmpty(), "a large read goes to the blocking pool");
        assertEquals(many.length, values(log.read(5, 1 << 20).records()).size());
    }

    private static List<String> values(MemoryRecords records) {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
                values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
            }
        }
        return values;
    }

    @ParameterizedTest(name = "first header {0}")
    @ValueSource(ints = {0, 0x8000_0000})
    void aFileAKillCutShortWhileItWasCreatedIsRemovedAtOpen(int firstHeader) throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(batch("a", "b"), 0);
        clock.advance(Duration.ofSeconds(1));
        log.appendAsLeader(batch("c"), 0);
        close(log);
        // A kill between creating the next cycle's file and writing its header leaves it all zeros,
        // and one while Chronicle writes that header leaves it marked incomplete (its top bit, of
        // unknown length); Chronicle would wait on that header at open before giving up.
        clock.advance(Duration.ofSeconds(1));
        SimpleDateFormat format = new SimpleDateFormat(TestRollCycles.TEST_SECONDLY.format());
        format.setTimeZone(TimeZone.getTimeZone("UTC"));
        Path cutShort = dir.resolve("log").resolve(format.format(new Date(clock.millis())) + ".cq4");
        try (RandomAccessFile raf = new RandomAccessFile(cutShort.toFile(), "rw")) {
            raf.setLength(1 << 16);
            raf.writeInt(Integer.reverseBytes(firstHeader));
        }
        PartitionLog reopened = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> open(),
                "the open does not wait on a header that was never written");
        assertFalse(Files.exists(cutShort), "the file was removed");
        assertEquals(List.of("a", "b", "c"), valuesFrom(reopened, 0));
        assertEquals(3, reopened.appendAsLeader(batch("d"), 0).firstOffset());
        assertEquals(List.of("a", "b", "c", "d"), valuesFrom(reopened, 0));
    }

    private static MemoryRecords idempotent(long producerId, short epoch, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(i, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence, records);
    }

    @Test
    void anIdempotentProducersRetryIsStoredOnceAcrossAReopenAndAGapIsRefused() {
        PartitionLog log = open();
        assertEquals(0, log.appendAsLeader(idempotent(7, (short) 1, 0, "a", "b"), 0).firstOffset());
        assertEquals(2, log.appendAsLeader(idempotent(7, (short) 1, 2, "c"), 0).firstOffset());
        AppendInfo retry = log.appendAsLeader(idempotent(7, (short) 1, 0, "a", "b"), 0);
        assertTrue(retry.duplicate());
        assertEquals(0, retry.firstOffset());
        assertEquals(1, retry.lastOffset());
        assertEquals(3, log.logEndOffset(), "the retry wrote nothing");

        StrataException gap = assertThrows(StrataException.class,
                () -> log.appendAsLeader(idempotent(7, (short) 1, 5, "lost d and e"), 0));
        assertEquals("out_of_order_sequence", gap.code());
        StrataException fenced = assertThrows(StrataException.class,
                () -> log.appendAsLeader(idempotent(7, (short) 0, 3, "an older instance"), 0));
        assertEquals("invalid_producer_epoch", fenced.code());
        assertEquals(3, log.logEndOffset(), "refused batches wrote nothing");
        assertEquals(3, log.appendAsLeader(idempotent(8, (short) 1, 41, "a producer the log never saw"), 0).firstOffset());
        close(log);

        PartitionLog reopened = open();
        assertTrue(reopened.appendAsLeader(idempotent(7, (short) 1, 2, "c"), 0).duplicate(), "known again from the stored headers");
        assertEquals(4, reopened.appendAsLeader(idempotent(7, (short) 1, 3, "d"), 0).firstOffset());
        StrataException newEpochGap = assertThrows(StrataException.class,
                () -> reopened.appendAsLeader(idempotent(7, (short) 2, 4, "e"), 0));
        assertEquals("out_of_order_sequence", newEpochGap.code(), "a new epoch starts at sequence 0");
        assertEquals(5, reopened.appendAsLeader(idempotent(7, (short) 2, 0, "e"), 0).firstOffset());
        assertEquals(List.of("a", "b", "c", "d", "e", "a producer the log never saw").size(), valuesFrom(reopened, 0).size());
    }

    @Test
    void aTruncatedBatchOfAProducerIsNoLongerARetry() {
        PartitionLog log = open();
        log.appendAsLeader(idempotent(7, (short) 0, 0, "a"), 0);
        log.appendAsLeader(idempotent(7, (short) 0, 1, "b"), 0);
        log.truncateTo(1);
        AppendInfo again = log.appendAsLeader(idempotent(7, (short) 0, 1, "b"), 0);
        assertFalse(again.duplicate(), "the batch is gone from the log: appended again");
        assertEquals(1, again.firstOffset());
        assertEquals(List.of("a", "b"), valuesFrom(log, 0));
    }

    @Test
    void aCorruptTailIsCutBackAtOpenAndReported() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(batch("a", "b"), 0);
        log.appendAsLeader(batch("c"), 0);
        log.appendAsLeader(batch("damaged"), 0);
        log.appendAsLeader(batch("after"), 0);
        close(log);
        Files.deleteIfExists(dir.resolve("log").resolve(PartitionLog.RECOVERY_POINT_FILE));
        flipAByteOf(dir.resolve("log"), "damaged".getBytes(StandardCharsets.UTF_8));
        PartitionLog reopened = open();
        assertEquals(3, reopened.logEndOffset(), "cut back to the batch before the corrupt one");
        assertEquals(List.of("a", "b", "c"), valuesFrom(reopened, 0));
        reopened.appendAsLeader(batch("new"), 0);
        close(reopened);
        PartitionLog again = open();
        assertEquals(List.of("a", "b", "c", "new"), valuesFrom(again, 0), "the cut holds and later appends stay");
    }

    @Test
    void belowTheRecoveryPointBatchesAreNotCheckedAgain() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(batch("a"), 0);
        log.appendAsLeader(batch("b"), 0);
        assertEquals(2, log.flush());
        close(log);
        assertEquals("2", Files.readString(dir.resolve("log").resolve(PartitionLog.RECOVERY_POINT_FILE)));
        flipAByteOf(dir.resolve("log"), "b".getBytes(StandardCharsets.UTF_8));
        PartitionLog reopened = open();
        assertEquals(2, reopened.logEndOffset(), "a flushed batch is trusted, as Kafka trusts what is below its recovery point");
        assertEquals(2, reopened.recoveryPoint());
    }

    @Test
    void aCloseWaitsForTheReadUnderWayFsyncsAndThenRefusesReads() throws Exception {
        PartitionLog log = open();
        log.appendAsLeader(batch("a", "b"), 0);
        log.structure().readLock().lock();  // a read under way on another thread
        CompletableFuture<Void> closed;
        try {
            closed = CompletableFuture.runAsync(() -> close(log));
            assertThrows(java.util.concurrent.TimeoutException.class, () -> closed.get(200, TimeUnit.MILLISECONDS),
                    "the close waits for the read");
        } finally {
            log.structure().readLock().unlock();
        }
        closed.get(10, TimeUnit.SECONDS);
        assertEquals("2", Files.readString(dir.resolve("log").resolve(PartitionLog.RECOVERY_POINT_FILE)),
                "what was appended is fsynced at close: a recovery point for the next open");
        StrataException refused = assertThrows(StrataException.class, () -> log.read(0, 1 << 16));
        assertEquals("storage_unavailable", refused.code());
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }

    /** Changes the first byte of {@code needle} in the log's files, as a disk fault would. */
    private static void flipAByteOf(Path logDir, byte[] needle) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
                byte[] content = Files.readAllBytes(file);
                int at = indexOf(content, needle);
                if (at >= 0) {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.seek(at);
                        raf.write(content[at] ^ 0x20);
                    }
                    return;
                }
            }
        }
        throw new AssertionError("no file holds the bytes to damage");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void theOffsetsOfABatchInPlaceAreAssignedByTheLog() {
        PartitionLog log = open();
        log.appendAsLeader(batch("x"), 0);
        MemoryRecords second = batch("y", "z");
        log.appendAsLeader(second, 0);
        MutableRecordBatch stamped = second.batches().iterator().next();
        assertEquals(1, stamped.baseOffset(), "the produced batch now carries its offsets");
        assertTrue(stamped.isValid());
    }
}
