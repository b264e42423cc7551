package io.strata.node.log;

import io.strata.node.common.StrataException;
import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.ChronicleLogs;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.MappedLogAllocator;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The log of one partition, modelled on Kafka's {@code LocalLog}/{@code UnifiedLog}, on Chronicle
 * Queue: Kafka record batches (v2) with dense offsets, one Chronicle entry per batch, stored as
 * they were produced and served as they are stored.
 *
 * <ul>
 *   <li><b>Offsets.</b> {@link #appendAsLeader} assigns a batch its base offset and stamps the
 *       leader epoch, in place in the batch's header (both lie outside its CRC), and stores its
 *       bytes; {@link #appendAsFollower} stores batches whose offsets are already assigned.</li>
 *   <li><b>Reads</b> ({@link #read}, {@link LogReader}) return whole stored batches from the one
 *       holding the offset asked for, up to a byte budget and never past the high watermark; a
 *       reader waits for new data with {@link #awaitHighWatermarkAbove} instead of polling.</li>
 *   <li><b>The high watermark</b> is what readers may see and what a writer waits for before it
 *       acknowledges, as {@link HighWatermarkPolicy} decides.</li>
 *   <li><b>Time.</b> {@link #offsetForTimestamp} finds the first record at or after a
 *       timestamp. The clock is injected: it rolls the files and ages them for retention.</li>
 *   <li><b>Bounds.</b> {@link #truncateTo} cuts the end, {@link #deleteRecordsBefore} moves the
 *       start, {@link #applyRetention} deletes whole old files; the first two are recorded in the
 *       log itself ({@link LogMarker}) and so are as durable as an append.</li>
 *   <li><b>Recovery.</b> At open every entry's header is read back to rebuild the in-memory index
 *       ({@link LogIndex}); batches past the recovery point (what the last {@link #flush} made
 *       durable, recorded in the {@code recovery-point} file) have their CRC checked, and a torn
 *       or corrupt tail is cut back and reported in the log.</li>
 * </ul>
 *
 * <p>Space: an append's bytes are backed by the filesystem before they are written
 * ({@link MappedLogAllocator}, which claims them from the node's {@link DiskSpace}); with no room,
 * the append is refused ({@code storage_full}) before its first batch is written.
 *
 * <p>Threading: one writer at a time calls the appends, {@link #truncateTo},
 * {@link #deleteRecordsBefore} and {@link #close}; a writer that moves between threads (an actor)
 * hands the Chronicle appender over as Chronicle allows, its mailbox ordering the calls. Any thread
 * may read, look up times, flush, move the high watermark and apply retention. Readers hold the
 * structure lock's read side while they read; truncation, retention and close take its write
 * side, so a file is never deleted or closed under a read.
 */
public final class PartitionLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    /** The most a {@link #readInPlace} reads: the records a producer just added for a reader at the end. */
    static final long IN_PLACE_READ_BYTES = 64 << 10;

    /** Chronicle chunks are mapped this many bytes at a time; a batch must fit well within one. */
    static final long BLOCK_SIZE = 16L << 20;
    static final int BATCH_HEADER = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
    /** The file, beside the log's own, that holds the recovery point. */
    static final String RECOVERY_POINT_FILE = "recovery-point";
    /** The file that marks a directory as a partition log's (logs of older formats have none). */
    static final String FORMAT_FILE = "log-format";
    private static final String FORMAT = "kafka-record-batch-v2\n";
    /** Most readers {@link #read} keeps positioned for the next read of their consumers. */
    private static final int MAX_IDLE_READERS = 32;
    /** A cycle that holds no live batch (only markers or truncated batches). */
    private static final long NO_BATCH = Long.MAX_VALUE;

    /** A file of the log and the base offset of its first live batch ({@link #NO_BATCH} if none). */
    private record Cycle(File file, long firstOffset) {}

    private final Path dir;
    private final LogConfig config;
    private final DiskSpace space;
    private final InstantSource clock;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final MappedLogAllocator allocator;
    private final PageToucher toucher = new PageToucher();
    /** Bytes and offsets of the batches appended or recovered: a read sizes its buffer by their ratio. */
    private volatile long batchBytesSeen;
    private volatile long offsetsSeen;
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private final LogIndex index = new LogIndex(structure.writeLock());
    private final ConcurrentSkipListMap<Integer, Cycle> cycles = new ConcurrentSkipListMap<>();
    private final AtomicLong logStart = new AtomicLong();
    private final AtomicLong highWatermark = new AtomicLong();
    private final AtomicLong generation = new AtomicLong();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    /** The idempotent producers' sequence numbers: the writer's, rebuilt at open. */
    private final ProducerStateTable producers = new ProducerStateTable();
    /** Readers left where their last {@link #read} ended, by that offset: a consumer's next read takes its reader back. */
    private final ConcurrentHashMap<Long, LogReader> idleReaders = new ConcurrentHashMap<>();
    /** Chronicle index ranges {from, to} (inclusive) of dead entries, cut off by a truncation. */
    private volatile List<long[]> deadRanges = List.of();
    /** Leader epoch -> the first offset written in it. Replaced as a whole. */
    private volatile NavigableMap<Integer, Long> epochs = new TreeMap<>();
    private volatile long logEnd;
    /** Where the last entry of the newest file ends: its used bytes (the file is allocated ahead in blocks). */
    private volatile long activeFileUsed;
    private volatile long recoveryPoint;
    private volatile int lastFlushedCycle = Integer.MIN_VALUE;
    /** When the recovery point file was last written (clock millis), and what it holds. */
    private volatile long recoveryPointWrittenAt;
    private volatile long persistedRecoveryPoint = -1;
    private volatile boolean closed;

    // Writer only.
    private Thread writer;
    private long maxTimestamp = Long.MIN_VALUE;
    private long bytesSinceIndexEntry;
    private boolean indexNextBatch = true;

    /** A reader waiting for the high watermark to pass {@code offset}. */
    private record Waiter(long offset, CompletableFuture<Long> future) {}

    private PartitionLog(Path dir, LogConfig config, DiskSpace space, InstantSource clock, SingleChronicleQueue queue) {
        this.dir = dir;
        this.config = config;
        this.space = space;
        this.clock = clock;
        this.queue = queue;
        this.allocator = new MappedLogAllocator(space);
        this.appender = queue.createAppender();
        this.writer = Thread.currentThread();
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, reads it back and cuts off a corrupt tail.
     *
     * @throws StrataException {@code storage_full} when a new log's files would take the reserve
     */
    public static PartitionLog open(Path dir, LogConfig config, DiskSpace space, InstantSource clock) {
        if (Directories.isMissingOrEmpty(dir)) {
            space.requireFree(ChronicleLogs.NEW_LOG_BYTES);
            try {
                Files.createDirectories(dir);
                AtomicFiles.write(dir.resolve(FORMAT_FILE), out -> out.write(FORMAT.getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException e) {
                throw DiskSpace.refusal("cannot create log directory " + dir, e);
            }
        } else if (!holdsPartitionLog(dir)) {
            throw new IllegalStateException(dir + " holds files that are not a partition log's (no " + FORMAT_FILE + " file)");
        } else {
            removeFilesNeverWritten(dir);
        }
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(config.rollCycle()).blockSize(BLOCK_SIZE)
                .timeProvider(timeProvider(clock)).build();
        PartitionLog log;
        try {
            log = new PartitionLog(dir, config, space, clock, queue);
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
        try {
            log.recover();
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    /** A kill while a file was being created leaves it without a header; Chronicle would wait on it at open. */
    private static void removeFilesNeverWritten(Path dir) {
        try {
            for (Path file : ChronicleLogs.removeFilesNeverWritten(dir)) {
                LOG.warn("log {}: removed {}, which a stop cut short while it was being created (it held nothing)",
                        dir, file.getFileName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the files of log " + dir, e);
        }
    }

    /** The largest batch a log can store: a quarter of the Chronicle block it is written through. */
    public static int maxBatchBytes() {
        return (int) (BLOCK_SIZE / 4);
    }

    /** Whether {@code dir} holds a partition log (as opposed to nothing, or a log of an older format). */
    public static boolean holdsPartitionLog(Path dir) {
        return Files.isRegularFile(dir.resolve(FORMAT_FILE));
    }

    private static TimeProvider timeProvider(InstantSource clock) {
        return clock::millis;
    }

    // ---------------------------------------------------------------- bounds

    /** The first offset the log holds. */
    public long logStartOffset() {
        return logStart.get();
    }

    /** The offset the next appended record gets. */
    public long logEndOffset() {
        return logEnd;
    }

    /** The end of what readers may see and writers may acknowledge. */
    public long highWatermark() {
        return highWatermark.get();
    }

    /** Below this offset the log was fsynced, and is not checked again at open. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /** The epoch of the last batch appended, or -1 for an empty log. */
    public int latestEpoch() {
        NavigableMap<Integer, Long> current = epochs;
        return current.isEmpty() ? -1 : current.lastKey();
    }

    /**
     * Where epoch {@code epoch} ends, as Kafka's OffsetsForLeaderEpoch answers: the first offset of
     * the next greater epoch the log holds, or the log end for the latest; empty when the log holds
     * no epoch at or below it.
     */
    public OptionalLong endOffsetForEpoch(int epoch) {
        NavigableMap<Integer, Long> current = epochs;
        if (current.isEmpty() || current.firstKey() > epoch) {
            return OptionalLong.empty();
        }
        Map.Entry<Integer, Long> next = current.higherEntry(epoch);
        return OptionalLong.of(next == null ? logEnd : next.getValue());
    }

    /**
     * Where epoch {@code epoch} ends, with the epoch that ends there, exactly as Kafka's
     * {@code LeaderEpochFileCache.endOffsetFor} answers a consumer's OffsetsForLeaderEpoch: the
     * latest epoch ends at the log end; an epoch the log skipped or lost to deletion is answered
     * with the largest epoch below it (or itself, when none is) and the start of the next one; an
     * epoch above the latest, -1, or an empty log is {@link EpochEnd#UNDEFINED}. Any thread.
     */
    public EpochEnd epochEnd(int epoch) {
        NavigableMap<Integer, Long> current = epochs;
        if (epoch < 0 || current.isEmpty()) {
            return EpochEnd.UNDEFINED;
        }
        long end = logEnd;
        if (epoch == current.lastKey()) {
            return new EpochEnd(epoch, end);
        }
        Map.Entry<Integer, Long> next = current.higherEntry(epoch);
        if (next == null) {
            return EpochEnd.UNDEFINED;
        }
        Map.Entry<Integer, Long> floor = current.floorEntry(epoch);
        return new EpochEnd(floor == null ? epoch : floor.getKey(), next.getValue());
    }

    public Path dir() {
        return dir;
    }

    // ---------------------------------------------------------------- appends

    /**
     * Appends {@code records} (one or more v2 batches), assigning them the next offsets and stamping
     * {@code leaderEpoch} into their headers in place. Writer only.
     *
     * @throws StrataException {@code invalid_record_batch} (a batch that is not v2, fails its CRC,
     *     is cut short or whose record count does not match its offsets; nothing is written),
     *     {@code record_batch_too_large}, {@code fenced_leader_epoch} (an epoch below the latest),
     *     {@code storage_full}
     */
    public AppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) {
        if (leaderEpoch < latestEpoch()) {
            throw new StrataException(StrataException.Kind.CONFLICT, "fenced_leader_epoch",
                    "leader epoch " + leaderEpoch + " is below the log's latest epoch " + latestEpoch());
        }
        List<MutableRecordBatch> batches = validBatches(records);
        Optional<ProducerStateTable.BatchMetadata> retried = producers.check(batches);
        if (retried.isPresent()) {
            // Stored before: answered with where it is, as Kafka answers a producer's retry.
            return AppendInfo.duplicate(retried.get().firstOffset(), retried.get().lastOffset());
        }
        long next = logEnd;
        for (MutableRecordBatch batch : batches) {
            batch.setLastOffset(next + (batch.lastOffset() - batch.baseOffset()));
            batch.setPartitionLeaderEpoch(leaderEpoch);
            next = batch.lastOffset() + 1;
        }
        return write(records, batches);
    }

    /**
     * Appends batches whose offsets and epochs are already assigned (a replica copying its leader):
     * the first must start at the log end and each follow the one before. Writer only.
     *
     * @throws StrataException as {@link #appendAsLeader}, and {@code invalid_record_batch} for offsets that do not follow on
     */
    public AppendInfo appendAsFollower(MemoryRecords records) {
        List<MutableRecordBatch> batches = validBatches(records);
        long expected = logEnd;
        int epoch = latestEpoch();
        for (MutableRecordBatch batch : batches) {
            if (batch.baseOffset() != expected) {
                throw invalidBatch("batch at offset " + batch.baseOffset() + " does not follow on from offset " + expected);
            }
            if (batch.partitionLeaderEpoch() < epoch) {
                throw invalidBatch("batch at offset " + batch.baseOffset() + " has leader epoch " + batch.partitionLeaderEpoch()
                        + ", below the log's epoch " + epoch);
            }
            epoch = batch.partitionLeaderEpoch();
            expected = batch.lastOffset() + 1;
        }
        return write(records, batches);
    }

    private List<MutableRecordBatch> validBatches(MemoryRecords records) {
        if (records.sizeInBytes() == 0) {
            throw invalidBatch("no record batch");
        }
        List<MutableRecordBatch> batches = new ArrayList<>();
        long bytes = 0;
        try {
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    throw invalidBatch("record batch format v" + batch.magic() + " is not supported (v2 only)");
                }
                if (batch.sizeInBytes() > config.maxBatchBytes()) {
                    throw new StrataException(StrataException.Kind.TOO_LARGE, "record_batch_too_large",
                            "record batch of " + batch.sizeInBytes() + " bytes is over the limit of " + config.maxBatchBytes());
                }
                batch.ensureValid();
                Integer count = batch.countOrNull();
                long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
                if (count == null || count <= 0 || count != lastOffsetDelta + 1) {
                    throw invalidBatch("record batch holds " + count + " records but its last offset delta is " + lastOffsetDelta);
                }
                batches.add(batch);
                bytes += batch.sizeInBytes();
            }
        } catch (KafkaException e) {
            throw invalidBatch(e.getMessage());
        }
        if (bytes != records.sizeInBytes()) {
            throw invalidBatch("the last record batch is cut short (" + (records.sizeInBytes() - bytes) + " bytes left over)");
        }
        return batches;
    }

    private static StrataException invalidBatch(String why) {
        return StrataException.invalid("invalid_record_batch", why);
    }

    private AppendInfo write(MemoryRecords records, List<MutableRecordBatch> batches) {
        checkOpen();
        ownAppender();
        long remaining = records.sizeInBytes() + (long) batches.size() * ChronicleLogs.ENTRY_OVERHEAD;
        // Checked once, so that a refusal comes before the first batch, never between two.
        space.requireWritable();
        ChronicleLogs.beforeWrite(queue, appender, space);
        ByteBuffer buffer = records.buffer();
        long first = logEnd;
        long batchMaxTimestamp = RecordBatch.NO_TIMESTAMP;
        try {
            batchMaxTimestamp = writeEach(buffer, batches, remaining);
        } finally {
            // Batches written before a refusal (a full disk met at a new file) are in the log: they count.
            if (config.highWatermark() == HighWatermarkPolicy.ON_APPEND) {
                advanceHighWatermark(logEnd);
            }
        }
        return new AppendInfo(first, logEnd - 1, batches.size(), batchMaxTimestamp);
    }

    private long writeEach(ByteBuffer buffer, List<MutableRecordBatch> batches, long remaining) {
        int at = buffer.position();
        long batchMaxTimestamp = RecordBatch.NO_TIMESTAMP;
        for (MutableRecordBatch batch : batches) {
            ByteBuffer bytes = buffer.duplicate();
            bytes.limit(at + batch.sizeInBytes()).position(at);
            at += batch.sizeInBytes();
            long position;
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> out = dc.wire().bytes();
                // The rest of the append is backed at once, so a refusal comes before its first batch.
                ChronicleLogs.back(allocator, dc, appender.currentFile(), out.writePosition(), remaining, dir);
                writeAll(out, bytes);
                activeFileUsed = out.writePosition();
                toucher.after(out, appender.currentFile(), out.writePosition(), allocator.backedUpTo(appender.currentFile()));
            }
            position = appender.lastIndexAppended();
            remaining -= batch.sizeInBytes() + ChronicleLogs.ENTRY_OVERHEAD;
            noteBatch(batch.baseOffset(), batch.lastOffset(), batch.partitionLeaderEpoch(), batch.maxTimestamp(),
                    batch.sizeInBytes(), position, appender.currentFile());
            producers.stored(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.baseOffset(),
                    batch.lastOffset(), clock.millis());
            batchMaxTimestamp = Math.max(batchMaxTimestamp, batch.maxTimestamp());
        }
        return batchMaxTimestamp;
    }

    /** Writes what is left of {@code bytes}; from a heap array in bulk (Chronicle copies other buffers a byte at a time). */
    private static void writeAll(Bytes<?> out, ByteBuffer bytes) {
        if (bytes.hasArray()) {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            bytes.position(bytes.limit());
            return;
        }
        while (bytes.hasRemaining()) {
            out.writeSome(bytes);
        }
    }

    /** Records a stored batch: its file, index entry, epoch and the new log end (published last). */
    private void noteBatch(long base, long last, int epoch, long batchMaxTimestamp, int size, long position, File file) {
        batchBytesSeen += size;
        offsetsSeen += last - base + 1;
        int cycle = config.rollCycle().toCycle(position);
        Cycle known = cycles.get(cycle);
        boolean firstOfCycle = known == null || known.firstOffset() == NO_BATCH;
        if (firstOfCycle) {
            cycles.put(cycle, new Cycle(known == null ? file : known.file(), base));
        }
        if (firstOfCycle || indexNextBatch || bytesSinceIndexEntry >= config.indexIntervalBytes()) {
            index.add(base, position, maxTimestamp);
            bytesSinceIndexEntry = 0;
            indexNextBatch = false;
        }
        bytesSinceIndexEntry += size;
        maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp);
        NavigableMap<Integer, Long> current = epochs;
        if (current.isEmpty() || epoch > current.lastKey()) {
            TreeMap<Integer, Long> updated = new TreeMap<>(current);
            updated.put(epoch, base);
            epochs = updated;
        }
        logEnd = last + 1;
    }

    /** Chronicle checks that an appender is used by the thread that made it; an actor's writer moves between threads. */
    private void ownAppender() {
        Thread current = Thread.currentThread();
        if (current != writer) {
            appender.singleThreadedCheckReset();
            writer = current;
        }
    }

    // ---------------------------------------------------------------- high watermark

    /** Moves the high watermark up to {@code offset} (never past the log end) and wakes the readers waiting for it. Any thread. */
    public void advanceHighWatermark(long offset) {
        long end = logEnd;
        long now = highWatermark.accumulateAndGet(Math.min(offset, end), Math::max);
        if (!waiters.isEmpty()) {
            for (Waiter waiter : waiters) {
                if (waiter.offset < now && waiters.remove(waiter)) {
                    waiter.future.complete(now);
                }
            }
        }
    }

    /**
     * Completes with the high watermark once it is above {@code offset}, or with the high watermark
     * as it is after {@code maxWait} (or when the log closes). Completes on the thread that moved
     * the watermark (often the writer's): continue with an {@code ...Async} stage for any real work,
     * a read included (it takes the structure lock, which retention and truncation hold).
     */
    public CompletableFuture<Long> awaitHighWatermarkAbove(long offset, Duration maxWait) {
        long now = highWatermark.get();
        if (now > offset || closed || maxWait.isZero() || maxWait.isNegative()) {
            return CompletableFuture.completedFuture(now);
        }
        Waiter waiter = new Waiter(offset, new CompletableFuture<>());
        waiters.add(waiter);
        // The watermark may have moved between the check and the add.
        if (highWatermark.get() > offset || closed) {
            waiters.remove(waiter);
            waiter.future.complete(highWatermark.get());
            return waiter.future;
        }
        CompletableFuture.delayedExecutor(maxWait.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (waiters.remove(waiter)) {
                waiter.future.complete(highWatermark.get());
            }
        });
        return waiter.future;
    }

    // ---------------------------------------------------------------- reads

    /** A reader that keeps its place between reads; one thread at a time. Close it when done. */
    public LogReader newReader() {
        return new LogReader(this);
    }

    /**
     * Reads whole batches from the one holding {@code offset}, up to {@code maxBytes} (at least one
     * batch), never past the high watermark. Any thread; sequential readers use {@link #newReader()}.
     *
     * @throws OffsetOutOfRange for an offset before the log start or past the high watermark
     */
    public FetchData read(long offset, int maxBytes) {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /** As {@link #read(long, int)}, and no batch that starts at or past {@code stopAt} (after the first). */
    public FetchData read(long offset, int maxBytes, long stopAt) {
        LogReader reader = idleReaders.remove(offset);
        if (reader == null) {
            reader = anyIdleReader();
        }
        boolean kept = false;
        try {
            FetchData data = reader.read(offset, maxBytes, stopAt);
            kept = keepForNextRead(data.nextOffset(), reader);
            return data;
        } finally {
            if (!kept) {
                reader.close();
            }
        }
    }

    /**
     * As {@link #read(long, int, long)} when that cannot block and is small, on any thread (a
     * dispatcher's, the writer's that woke a waiting reader): a reader left at {@code offset} by the
     * last read, every record up to the high watermark in the file its tailer is in, at most
     * {@link #IN_PLACE_READ_BYTES} of them, and the structure lock free (retention and truncation
     * hold it while they delete files). Empty otherwise: read on the blocking pool then. Kafka's
     * broker likewise completes a waiting fetch on the thread of the produce that satisfied it.
     */
    public Optional<FetchData> readInPlace(long offset, int maxBytes, long stopAt) {
        long visible = highWatermark.get();
        if (offset >= visible || estimatedBytes(offset, Math.min(visible, stopAt)) > IN_PLACE_READ_BYTES) {
            return Optional.empty();
        }
        LogReader reader = idleReaders.remove(offset);
        if (reader == null) {
            return Optional.empty();
        }
        if (!structure.readLock().tryLock()) {
            keepOrClose(offset, reader);
            return Optional.empty();
        }
        long lastVisible = index.floorPosition(visible - 1);
        if (lastVisible < 0 || !reader.readsInPlace(offset, config.rollCycle().toCycle(lastVisible))) {
            structure.readLock().unlock();
            keepOrClose(offset, reader);
            return Optional.empty();
        }
        boolean kept = false;
        try {
            // The high watermark read under the lock may be higher; the read stops at the one checked.
            FetchData data = reader.read(offset, maxBytes, Math.min(stopAt, visible));
            kept = keepForNextRead(data.nextOffset(), reader);
            return Optional.of(data);
        } finally {
            structure.readLock().unlock();
            if (!kept) {
                reader.close();
            }
        }
    }

    private void keepOrClose(long offset, LogReader reader) {
        if (idleReaders.putIfAbsent(offset, reader) != null) {
            reader.close();
        }
    }

    /**
     * About how many bytes the batches from {@code offset} to {@code until} take, from the average
     * size of an offset's record so far: what a read of them sizes its buffer by.
     */
    long estimatedBytes(long offset, long until) {
        long offsets = offsetsSeen;
        if (offsets == 0 || until <= offset) {
            return 0;
        }
        return (until - offset) * (batchBytesSeen / offsets + 1);
    }

    /**
     * An idle reader positioned elsewhere, else a new one: moving a tailer costs a lookup, making
     * one maps its file anew (about ten times the time).
     */
    private LogReader anyIdleReader() {
        for (Long position : idleReaders.keySet()) {
            LogReader idle = idleReaders.remove(position);
            if (idle != null) {
                return idle;
            }
        }
        return newReader();
    }

    /** Keeps {@code reader} for the read that starts at {@code next}, unless the log is closing. */
    private boolean keepForNextRead(long next, LogReader reader) {
        structure.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            if (idleReaders.size() >= MAX_IDLE_READERS) {
                // A consumer that went away left it; the one reading now is more likely to come back.
                idleReaders.keySet().stream().findAny().map(idleReaders::remove).ifPresent(LogReader::close);
            }
            return idleReaders.putIfAbsent(next, reader) == null;
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * The offset of the first record whose timestamp is at or after {@code timestamp} (Kafka's
     * ListOffsets by time), among what readers may see; empty when there is none.
     */
    public OptionalLong offsetForTimestamp(long timestamp) {
        structure.readLock().lock();
        try {
            checkOpen();
            long start = logStart.get();
            long visible = highWatermark.get();
            long position = index.floorPositionForTimestamp(timestamp);
            if (position < 0 || start >= visible) {
                return OptionalLong.empty();
            }
            try (ExcerptTailer tailer = queue.createTailer()) {
                if (!tailer.moveToIndex(position)) {
                    return OptionalLong.empty();
                }
                ByteBuffer entry = ByteBuffer.allocate(BATCH_HEADER);
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            return OptionalLong.empty();
                        }
                        if (isDead(dc.index())) {
                            continue;
                        }
                        entry = copy(dc.wire().bytes(), entry);
                        if (isMarker(entry)) {
                            continue;
                        }
                        RecordBatch batch = MemoryRecords.readableRecords(entry).firstBatch();
                        if (batch == null || batch.baseOffset() >= visible) {
                            return OptionalLong.empty();
                        }
                        if (batch.lastOffset() < start || batch.maxTimestamp() < timestamp) {
                            continue;
                        }
                        for (Record record : batch) {
                            if (record.offset() >= start && record.offset() < visible && record.timestamp() >= timestamp) {
                                return OptionalLong.of(record.offset());
                            }
                        }
                    }
                }
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    /** Whether Chronicle index {@code position} holds an entry cut off by a truncation. */
    boolean isDead(long position) {
        List<long[]> ranges = deadRanges;
        for (int i = 0; i < ranges.size(); i++) {
            long[] range = ranges.get(i);
            if (position >= range[0] && position <= range[1]) {
                return true;
            }
        }
        return false;
    }

    static boolean isMarker(ByteBuffer entry) {
        return entry.remaining() >= 8 && entry.getLong(entry.position()) == LogMarker.MARKER_BASE_OFFSET;
    }

    /** Copies the entry {@code in} holds into {@code reuse} (or a bigger buffer), flipped for reading. */
    static ByteBuffer copy(Bytes<?> in, ByteBuffer reuse) {
        int length = (int) in.readRemaining();
        ByteBuffer out = reuse.capacity() >= length ? reuse.clear() : ByteBuffer.allocate(Math.max(length, reuse.capacity() * 2));
        out.limit(length);
        in.read(out);
        return out.flip();
    }

    SingleChronicleQueue queue() {
        return queue;
    }

    LogIndex index() {
        return index;
    }

    ReentrantReadWriteLock structure() {
        return structure;
    }

    long generation() {
        return generation.get();
    }

    void checkOpen() {
        if (closed) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", "log " + dir + " is closed");
        }
    }

    // ---------------------------------------------------------------- bounds changes

    /**
     * Removes every batch holding an offset at or after {@code offset} (the batch that holds it
     * whole, as Kafka does) and returns the new log end. The high watermark comes down with it.
     * Recorded in the log, so it holds across a restart. Writer only.
     */
    public long truncateTo(long offset) {
        if (offset >= logEnd) {
            return logEnd;
        }
        if (offset < 0) {
            throw new IllegalArgumentException("cannot truncate to a negative offset: " + offset);
        }
        structure.writeLock().lock();
        try {
            checkOpen();
            long from = firstPositionHolding(Math.max(offset, logStart.get()));
            long newEnd = baseOffsetAt(from);
            ownAppender();
            long markerPosition = writeMarker(LogMarker.truncate(newEnd, from));
            applyTruncation(newEnd, from, markerPosition);
            generation.incrementAndGet();
            LOG.info("log {}: truncated to offset {}", dir, newEnd);
            return newEnd;
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** The Chronicle index of the live batch that holds {@code offset}. Under the structure lock. */
    private long firstPositionHolding(long offset) {
        long position = index.floorPosition(offset);
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (position < 0 || !tailer.moveToIndex(position)) {
                throw new IllegalStateException("log " + dir + " cannot find offset " + offset);
            }
            ByteBuffer entry = ByteBuffer.allocate(BATCH_HEADER);
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        throw new IllegalStateException("log " + dir + " ends before offset " + offset);
                    }
                    if (isDead(dc.index())) {
                        continue;
                    }
                    entry = copyHeader(dc.wire().bytes(), entry);
                    if (isMarker(entry)) {
                        continue;
                    }
                    long last = BatchHeader.lastOffset(entry);
                    if (last >= offset) {
                        return dc.index();
                    }
                }
            }
        }
    }

    private long baseOffsetAt(long position) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (!tailer.moveToIndex(position)) {
                throw new IllegalStateException("log " + dir + " has no entry at index " + position);
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                return copyHeader(dc.wire().bytes(), ByteBuffer.allocate(BATCH_HEADER)).getLong(0);
            }
        }
    }

    private static ByteBuffer copyHeader(Bytes<?> in, ByteBuffer reuse) {
        int length = (int) Math.min(in.readRemaining(), BATCH_HEADER);
        ByteBuffer out = reuse.clear().limit(length);
        long at = in.readPosition();
        for (int i = 0; i < length; i++) {
            out.put(i, in.readByte(at + i));
        }
        return out;
    }

    private void applyTruncation(long newEnd, long fromPosition, long markerPosition) {
        List<long[]> ranges = new ArrayList<>(deadRanges);
        ranges.add(new long[] {fromPosition, markerPosition});
        deadRanges = List.copyOf(ranges);
        index.truncateFrom(newEnd);
        producers.truncateFrom(newEnd);
        for (Map.Entry<Integer, Cycle> cycle : cycles.entrySet()) {
            if (cycle.getValue().firstOffset() != NO_BATCH && cycle.getValue().firstOffset() >= newEnd) {
                cycles.put(cycle.getKey(), new Cycle(cycle.getValue().file(), NO_BATCH));
            }
        }
        TreeMap<Integer, Long> keptEpochs = new TreeMap<>();
        epochs.forEach((epoch, start) -> {
            if (start < newEnd) {
                keptEpochs.put(epoch, start);
            }
        });
        epochs = keptEpochs;
        logEnd = newEnd;
        logStart.accumulateAndGet(newEnd, Math::min);
        indexNextBatch = true;
        highWatermark.accumulateAndGet(newEnd, Math::min);
        if (recoveryPoint > newEnd) {
            recoveryPoint = newEnd;
        }
        if (persistedRecoveryPoint > newEnd) {
            // Batches appended after the cut must be checked at the next open, as any unflushed ones are.
            writeRecoveryPoint(newEnd);
        }
    }

    /**
     * Makes an empty log start, and end, at {@code offset}: the next batch appended gets it. For a
     * log that takes over the offsets of another (a migration, a replica that starts from its
     * leader's start). Writer only.
     *
     * @throws IllegalStateException when the log is not empty
     */
    public void startAt(long offset) {
        if (logEnd != logStart.get() || !index.isEmpty() || offset < logEnd) {
            throw new IllegalStateException("log " + dir + " is not empty (offsets " + logStart.get() + ".." + logEnd + "), or " + offset + " is behind it");
        }
        checkOpen();
        ownAppender();
        writeMarker(LogMarker.logStart(offset, offset));
        logEnd = offset;
        logStart.set(offset);
        highWatermark.set(offset);
        generation.incrementAndGet();
    }

    /** The file the writer appends to now: the one to fsync. Writer only. */
    public File currentFile() {
        return appender.currentFile();
    }

    /**
     * Deletes the records before {@code offset} (Kafka's DeleteRecords): the log start moves there
     * and whole files below it go with the next {@link #applyRetention}. Writer only.
     *
     * @throws OffsetOutOfRange for an offset past the high watermark
     */
    public void deleteRecordsBefore(long offset) {
        long visible = highWatermark.get();
        if (offset > visible || offset < 0) {
            throw new OffsetOutOfRange(offset, logStart.get(), visible);
        }
        if (offset <= logStart.get()) {
            return;
        }
        checkOpen();
        ownAppender();
        writeMarker(LogMarker.logStart(offset, logEnd));
        logStart.accumulateAndGet(offset, Math::max);
        generation.incrementAndGet();
    }

    private long writeMarker(LogMarker marker) {
        space.requireWritable();
        ChronicleLogs.beforeWrite(queue, appender, space);
        ByteBuffer bytes = marker.encode();
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> out = dc.wire().bytes();
            ChronicleLogs.back(allocator, dc, appender.currentFile(), out.writePosition(),
                    LogMarker.SIZE + ChronicleLogs.ENTRY_OVERHEAD, dir);
            writeAll(out, bytes);
            activeFileUsed = out.writePosition();
        }
        long position = appender.lastIndexAppended();
        cycles.putIfAbsent(config.rollCycle().toCycle(position), new Cycle(appender.currentFile(), NO_BATCH));
        return position;
    }

    /**
     * Deletes whole files, oldest first, that are older than {@code retention} (by the injected
     * clock: the file's cycle ended before {@code now - retention}), that push the log over
     * {@code retentionBytes}, or that lie wholly before the log start. Never the newest file, never
     * a record readers cannot see yet. Zero disables either limit. Any thread, one call at a time.
     *
     * @return the number of files deleted
     */
    public int applyRetention(Duration retention, long retentionBytes) {
        return deleteOldFiles(retention, retentionBytes, -1);
    }

    /**
     * Deletes whole files, oldest first, whose every record lies below {@code offset} (a store's
     * snapshot covers them), never the newest file: the log start moves to the first record left.
     * Any thread, one call at a time, as {@link #applyRetention}.
     *
     * @return the number of files deleted
     */
    public int deleteFilesBefore(long offset) {
        return deleteOldFiles(Duration.ZERO, 0, Math.min(offset, highWatermark.get()));
    }

    private int deleteOldFiles(Duration retention, long retentionBytes, long coveredBelow) {
        long now = clock.millis();
        int deleted = 0;
        long total = bytesOnDisk();
        structure.writeLock().lock();
        try {
            checkOpen();
            while (cycles.size() > 1) {
                Map.Entry<Integer, Cycle> oldest = cycles.firstEntry();
                long nextStart = firstOffsetAfter(oldest.getKey());
                long cycleEnd = ((long) oldest.getKey() + 1) * config.rollCycle().lengthInMillis();
                boolean belowStart = nextStart <= Math.max(logStart.get(), coveredBelow);
                boolean expired = !retention.isZero() && cycleEnd < now - retention.toMillis();
                boolean oversize = retentionBytes > 0 && total > retentionBytes;
                if (!belowStart && !((expired || oversize) && nextStart <= highWatermark.get())) {
                    break;
                }
                long size = oldest.getValue().file().length();
                try {
                    Files.deleteIfExists(oldest.getValue().file().toPath());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + oldest.getValue().file(), e);
                }
                cycles.remove(oldest.getKey());
                index.dropBefore(config.rollCycle().toIndex(cycles.firstKey(), 0));
                logStart.accumulateAndGet(nextStart, Math::max);
                total -= size;
                deleted++;
            }
            if (deleted > 0) {
                generation.incrementAndGet();
                queue.refreshDirectoryListing();
            }
            return deleted;
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** The first live offset in a file after cycle {@code cycle}, or the log end. */
    private long firstOffsetAfter(int cycle) {
        for (Cycle later : cycles.tailMap(cycle, false).values()) {
            if (later.firstOffset() != NO_BATCH) {
                return later.firstOffset();
            }
        }
        return logEnd;
    }

    /** Bytes the log's entries take: whole older files, and the newest up to its last entry. */
    public long bytesOnDisk() {
        Map.Entry<Integer, Cycle> newest = cycles.lastEntry();
        if (newest == null) {
            return 0;
        }
        long total = activeFileUsed;
        for (Cycle cycle : cycles.headMap(newest.getKey()).values()) {
            total += cycle.file().length();
        }
        return total;
    }

    /** The number of files the log has. */
    public int files() {
        return cycles.size();
    }

    // ---------------------------------------------------------------- durability

    /**
     * fsyncs what was appended so far and returns the offset below which the log is now durable;
     * under {@link HighWatermarkPolicy#ON_FLUSH} the high watermark moves there. Blocking I/O: call
     * it on a flusher thread, never an actor's. Any thread.
     */
    public long flush() {
        long end = logEnd;
        int fromCycle = lastFlushedCycle;
        int lastCycle = fromCycle;
        for (Map.Entry<Integer, Cycle> cycle : cycles.tailMap(fromCycle, true).entrySet()) {
            force(cycle.getValue().file());
            lastCycle = cycle.getKey();
        }
        lastFlushedCycle = lastCycle;
        if (end > recoveryPoint) {
            recoveryPoint = end;
        }
        if (config.highWatermark() == HighWatermarkPolicy.ON_FLUSH) {
            advanceHighWatermark(end);
        }
        long now = clock.millis();
        if (persistedRecoveryPoint < 0 || now - recoveryPointWrittenAt >= config.recoveryPointInterval().toMillis()) {
            writeRecoveryPoint(end);
            recoveryPointWrittenAt = now;
        }
        return end;
    }

    private static void force(File file) {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
            channel.force(false);
        } catch (NoSuchFileException deletedByRetention) {
            // Nothing left to make durable.
        } catch (IOException e) {
            throw DiskSpace.refusal("cannot fsync " + file, e);
        }
    }

    private void writeRecoveryPoint(long offset) {
        try {
            AtomicFiles.write(dir.resolve(RECOVERY_POINT_FILE), out -> out.write(Long.toString(offset).getBytes(StandardCharsets.US_ASCII)));
            persistedRecoveryPoint = offset;
        } catch (IOException e) {
            // Only costs a longer check at the next open.
            LOG.warn("log {}: cannot record its recovery point: {}", dir, e.toString());
        }
    }

    private long readRecoveryPoint() {
        Path file = dir.resolve(RECOVERY_POINT_FILE);
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            LOG.warn("log {}: unreadable recovery point ({}); checking the whole log", dir, e.toString());
            return 0;
        }
    }

    // ---------------------------------------------------------------- recovery

    /** Reads every entry back, rebuilding the index, epochs and bounds, and cuts off a corrupt tail. */
    private void recover() {
        long checkedFrom = readRecoveryPoint();
        long corruptAt = -1;
        String problem = null;
        long batches = 0;
        boolean sawBatch = false;
        long start = 0;
        long expected = -1;
        ByteBuffer entry = ByteBuffer.allocate(64 << 10);
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.toStart();
            while (problem == null) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    long position = dc.index();
                    cycles.putIfAbsent(config.rollCycle().toCycle(position), new Cycle(tailer.currentFile(), NO_BATCH));
                    Bytes<?> in = dc.wire().bytes();
                    int length = (int) in.readRemaining();
                    activeFileUsed = in.readLimit();
                    entry = copyHeader(in, entry);
                    if (isMarker(entry)) {
                        entry = copy(in, entry);
                        LogMarker marker;
                        try {
                            marker = LogMarker.decode(entry);
                        } catch (IllegalArgumentException e) {
                            problem = e.getMessage();
                            corruptAt = position;
                            break;
                        }
                        if (marker.type() == LogMarker.Type.TRUNCATE) {
                            applyTruncation(marker.offset(), marker.fromPosition(), position);
                            expected = marker.offset();
                        } else {
                            start = Math.max(start, marker.offset());
                            logEnd = Math.max(logEnd, marker.logEndOffset());
                            expected = Math.max(expected, marker.logEndOffset());
                        }
                        continue;
                    }
                    if (isDead(position)) {
                        continue;
                    }
                    problem = check(entry, length, expected);
                    if (problem == null && BatchHeader.lastOffset(entry) >= checkedFrom) {
                        entry = copy(in, entry);
                        RecordBatch whole = MemoryRecords.readableRecords(entry).firstBatch();
                        if (whole == null || !whole.isValid()) {
                            problem = "a batch at offset " + entry.getLong(0) + " that fails its CRC";
                        }
                    }
                    if (problem != null) {
                        corruptAt = position;
                        break;
                    }
                    if (!sawBatch) {
                        start = Math.max(start, BatchHeader.baseOffset(entry));
                        sawBatch = true;
                    }
                    noteBatch(BatchHeader.baseOffset(entry), BatchHeader.lastOffset(entry), BatchHeader.partitionLeaderEpoch(entry),
                            BatchHeader.maxTimestamp(entry), length, position, tailer.currentFile());
                    producers.stored(BatchHeader.producerId(entry), BatchHeader.producerEpoch(entry),
                            BatchHeader.baseSequence(entry), BatchHeader.baseOffset(entry), BatchHeader.lastOffset(entry),
                            clock.millis());
                    expected = BatchHeader.lastOffset(entry) + 1;
                    batches++;
                }
            }
        }
        if (!sawBatch && start < logEnd) {
            start = logEnd;
        }
        logStart.set(Math.min(start, logEnd));
        highWatermark.set(logEnd);
        recoveryPoint = Math.min(checkedFrom, logEnd);
        persistedRecoveryPoint = checkedFrom;
        if (problem != null) {
            long dropped = countEntriesFrom(corruptAt);
            long markerPosition = writeMarker(LogMarker.truncate(logEnd, corruptAt));
            applyTruncation(logEnd, corruptAt, markerPosition);
            LOG.warn("log {}: the entry at Chronicle index {} is {}; the log is cut back to offset {} ({} entries from there dropped)",
                    dir, Long.toHexString(corruptAt), problem, logEnd, dropped);
        }
        LOG.debug("log {}: {} batches, offsets {}..{}", dir, batches, logStart.get(), logEnd);
    }

    /** Why a stored batch, whose header {@code header} holds, cannot be kept (its CRC aside), or null. */
    private static String check(ByteBuffer header, int length, long expected) {
        if (length < BATCH_HEADER) {
            return "a torn batch of " + length + " bytes";
        }
        if (BatchHeader.magic(header) != RecordBatch.MAGIC_VALUE_V2) {
            return "not a v2 record batch (magic " + BatchHeader.magic(header) + ")";
        }
        if (BatchHeader.sizeInBytes(header) != length) {
            return "a batch whose length field says " + BatchHeader.sizeInBytes(header) + " bytes in an entry of " + length;
        }
        if (expected >= 0 && BatchHeader.baseOffset(header) != expected) {
            return "a batch at offset " + BatchHeader.baseOffset(header) + " where offset " + expected + " belongs";
        }
        return null;
    }

    private long countEntriesFrom(long position) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (!tailer.moveToIndex(position)) {
                return 0;
            }
            long count = 0;
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return count;
                    }
                    count++;
                }
            }
        }
    }

    // ---------------------------------------------------------------- close

    /** Flushes and records the recovery point when the log was written, and closes it. Waiting readers get the watermark as it is. */
    @Override
    public void close() {
        structure.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            structure.writeLock().unlock();
        }
        try {
            long end = logEnd;
            if (!cycles.isEmpty() && recoveryPoint < end) {
                for (Cycle cycle : cycles.tailMap(lastFlushedCycle, true).values()) {
                    force(cycle.file());
                }
                recoveryPoint = end;
            }
            if (persistedRecoveryPoint != recoveryPoint) {
                writeRecoveryPoint(recoveryPoint);
            }
        } catch (RuntimeException e) {
            LOG.warn("log {}: not flushed at close: {}", dir, e.toString());
        } finally {
            for (Waiter waiter : waiters) {
                if (waiters.remove(waiter)) {
                    waiter.future.complete(highWatermark.get());
                }
            }
            idleReaders.values().forEach(LogReader::close);
            idleReaders.clear();
            allocator.close();
            ownAppenderForClose();
            appender.close();
            queue.close();
        }
    }

    private void ownAppenderForClose() {
        if (Thread.currentThread() != writer) {
            appender.singleThreadedCheckReset();
            writer = Thread.currentThread();
        }
    }
}
