package io.strata.node.bus.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.log.OffsetOutOfRange;
import io.strata.node.storage.ChronicleLogs;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.MappedLogAllocator;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The log of one topic partition: a Chronicle Queue whose records carry dense offsets 0, 1, 2, ...
 *
 * <p>Chronicle's own indices are (cycle, sequence-in-cycle) pairs, dense only within a roll
 * cycle. The log keeps, per cycle file, the offset of its first record, so offset {@code o} is at
 * sequence {@code o - start} of the cycle whose start is the greatest not above {@code o}. The
 * table is rebuilt on open from the first record of each cycle; offsets therefore continue across
 * restarts and roll cycles with no gaps.
 *
 * <p>Space: an append has its bytes backed by the filesystem before writing ({@link MappedLogAllocator},
 * which claims what it backs from the node's {@link DiskSpace}); when there is no room the batch is
 * refused ({@code storage_full}) before any record of it is written.
 *
 * <p>Threading: one writer (the partition actor) calls {@link #append} and {@link #close}; one
 * retention task at a time may run {@link #applyRetention} beside it (it only removes the oldest
 * cycles, never the active one); any thread may call {@link #read} concurrently (each read uses
 * its own tailer on the calling thread) and the offset accessors.
 */
public final class BusLog implements AutoCloseable {

    /** Chronicle chunks are mapped this many bytes at a time; a record must fit well within one. */
    private static final long BLOCK_SIZE = 16L << 20;

    /** A cycle file and the offset of its first record. */
    private record Cycle(int cycle, File file) {}

    /** What a read returns: records from the requested offset, and where the log starts and ends. */
    public record Slice(List<BusRecord> records, long nextOffset, long logStartOffset, long logEndOffset) {}

    private final Path dir;
    private final RollCycle rollCycle;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final DiskSpace space;
    private final MappedLogAllocator allocator;
    private final ConcurrentSkipListMap<Long, Cycle> cycles = new ConcurrentSkipListMap<>();
    private volatile long logStart;
    private volatile long logEnd;
    /** Where the last record of the active cycle file ends: its used bytes (the file is preallocated in blocks). */
    private volatile long activeFileUsed;

    private BusLog(Path dir, RollCycle rollCycle, SingleChronicleQueue queue, DiskSpace space) {
        this.dir = dir;
        this.rollCycle = rollCycle;
        this.queue = queue;
        this.space = space;
        this.allocator = new MappedLogAllocator(space);
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    /**
     * Opens (creating if needed) the log in {@code dir} and rebuilds its offset table.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when a new log's files would take the reserve
     */
    public static BusLog open(Path dir, RollCycle rollCycle, DiskSpace space) {
        SingleChronicleQueue queue = ChronicleLogs.open(dir, rollCycle, BLOCK_SIZE, space);
        BusLog log = new BusLog(dir, rollCycle, queue, space);
        try {
            log.rebuildIndex();
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    /** Largest record, in bytes, that the log accepts. */
    public static long maxRecordBytes() {
        return BLOCK_SIZE / 4;
    }

    private void rebuildIndex() {
        if (queue.lastIndex() < 0) {
            logStart = 0;
            logEnd = 0;
            return;
        }
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.singleThreadedCheckDisabled(true);
            NavigableSet<Long> cycleNumbers = queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle());
            for (long c : cycleNumbers) {
                int cycle = (int) c;
                if (tailer.moveToIndex(rollCycle.toIndex(cycle, 0))) {
                    BusRecord first = readOne(tailer);
                    if (first != null) {
                        cycles.put(first.getOffset(), new Cycle(cycle, tailer.currentFile()));
                    }
                }
            }
            if (!tailer.moveToIndex(queue.lastIndex())) {
                throw new IllegalStateException("log " + dir + " cannot position at its last index");
            }
            BusRecord last;
            try (DocumentContext dc = tailer.readingDocument()) {
                last = dc.isPresent() ? parse(dc.wire().bytes().toByteArray(), dc.index()) : null;
                activeFileUsed = dc.isPresent() ? dc.wire().bytes().readLimit() : 0;
            }
            if (last == null || cycles.isEmpty()) {
                throw new IllegalStateException("log " + dir + " has entries but no readable record");
            }
            logStart = cycles.firstKey();
            logEnd = last.getOffset() + 1;
        }
    }

    private BusRecord readOne(ExcerptTailer tailer) {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            return parse(dc.wire().bytes().toByteArray(), dc.index());
        }
    }

    private BusRecord parse(byte[] bytes, long index) {
        try {
            return BusRecord.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("log " + dir + " record at index " + index + " is unreadable", e);
        }
    }

    /** The first retained offset. */
    public long logStartOffset() {
        return logStart;
    }

    /** The offset the next record will get. */
    public long logEndOffset() {
        return logEnd;
    }

    /**
     * Appends records (their offsets and partitions are assigned here) and returns the offset of
     * the first. Writer thread only.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when there is no room for
     *     the batch: nothing was written. (Only if another program fills the filesystem while a
     *     batch crosses into a new cycle file can the refusal come after some of its records; those
     *     are then in the log, with their offsets, and the partition reopens from disk.)
     */
    public long append(List<BusRecord> records) {
        List<byte[]> encoded = new ArrayList<>(records.size());
        long batchBytes = 0;
        long first = logEnd;
        for (BusRecord record : records) {
            byte[] bytes = record.toBuilder().setOffset(first + encoded.size()).clearPartition().build().toByteArray();
            encoded.add(bytes);
            batchBytes += bytes.length + ChronicleLogs.ENTRY_OVERHEAD;
        }
        // Checked once, so that a refusal comes before the first record, never between two.
        space.requireWritable();
        ChronicleLogs.beforeWrite(queue, appender, space);
        long offset = first;
        try {
            for (byte[] bytes : encoded) {
                int cycleBefore = cycles.isEmpty() ? Integer.MIN_VALUE : cycles.lastEntry().getValue().cycle;
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> out = dc.wire().bytes();
                    // The whole rest of the batch is backed at once, so it is refused before its first record.
                    ChronicleLogs.back(allocator, dc, appender.currentFile(), out.writePosition(), batchBytes, dir);
                    out.write(bytes);
                    activeFileUsed = out.writePosition();
                }
                batchBytes -= bytes.length + ChronicleLogs.ENTRY_OVERHEAD;
                int cycle = rollCycle.toCycle(appender.lastIndexAppended());
                if (cycle != cycleBefore) {
                    cycles.put(offset, new Cycle(cycle, appender.currentFile()));
                }
                offset++;
            }
        } finally {
            // Published last, so readers never look for an offset the table cannot place yet.
            logEnd = offset;
        }
        return first;
    }

    /** The file the last append went to: the one to fsync. */
    public File currentFile() {
        return appender.currentFile();
    }

    /**
     * Reads up to {@code maxRecords} records (and about {@code maxBytes} of values) from
     * {@code offset}. Reading at the end offset returns no records. Any thread.
     *
     * @throws OffsetOutOfRange when {@code offset} is before the first retained record or beyond the end
     */
    public Slice read(long offset, int maxRecords, long maxBytes) {
        return read(offset, maxRecords, maxBytes, Long.MAX_VALUE);
    }

    /** As {@link #read(long, int, long)}, but never past {@code visibleEnd} (the fsynced end, in fsync mode). */
    public Slice read(long offset, int maxRecords, long maxBytes, long visibleEnd) {
        long start = logStart;
        long end = Math.min(logEnd, visibleEnd);
        if (offset < start || offset > end) {
            throw new OffsetOutOfRange(offset, start, end);
        }
        List<BusRecord> records = new ArrayList<>(Math.min(maxRecords, (int) Math.min(end - offset, 1024)));
        if (offset == end) {
            return new Slice(records, offset, start, end);
        }
        Map.Entry<Long, Cycle> cycle = cycles.floorEntry(offset);
        long bytes = 0;
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.singleThreadedCheckDisabled(true);
            if (cycle == null || !tailer.moveToIndex(rollCycle.toIndex(cycle.getValue().cycle, offset - cycle.getKey()))) {
                // Retention removed the cycle between the bounds check and now.
                throw new OffsetOutOfRange(offset, logStart, logEnd);
            }
            long expected = offset;
            while (expected < end && records.size() < maxRecords && (bytes < maxBytes || records.isEmpty())) {
                BusRecord record = readOne(tailer);
                if (record == null) {
                    break;
                }
                if (record.getOffset() != expected) {
                    throw new IllegalStateException("log " + dir + " holds offset " + record.getOffset()
                            + " where offset " + expected + " belongs");
                }
                records.add(record);
                bytes += record.getValue().size();
                expected++;
            }
            return new Slice(records, expected, logStart, end);
        }
    }

    /** Bytes the log's records occupy: whole older cycle files, and the active one up to its last record. */
    public long bytesOnDisk() {
        Map.Entry<Long, Cycle> active = cycles.lastEntry();
        if (active == null) {
            return 0;
        }
        long older = cycles.headMap(active.getKey()).values().stream().mapToLong(c -> c.file.length()).sum();
        return older + activeFileUsed;
    }

    public int files() {
        return cycles.size();
    }

    /**
     * Deletes whole cycle files, oldest first, that are older than {@code retention} (end of the
     * cycle before {@code nowMillis - retention}) or that push the log over {@code retentionBytes};
     * the active (newest) cycle is never deleted. Zero disables either limit. One call at a time.
     * Returns the number of files deleted.
     */
    public int applyRetention(long nowMillis, Duration retention, long retentionBytes) {
        int deleted = 0;
        long total = bytesOnDisk();
        while (cycles.size() > 1) {
            Map.Entry<Long, Cycle> oldest = cycles.firstEntry();
            long cycleEnd = ((long) oldest.getValue().cycle + 1) * rollCycle.lengthInMillis();
            boolean expired = !retention.isZero() && cycleEnd < nowMillis - retention.toMillis();
            boolean oversize = retentionBytes > 0 && total > retentionBytes;
            if (!expired && !oversize) {
                break;
            }
            long size = oldest.getValue().file.length();
            cycles.remove(oldest.getKey());
            logStart = cycles.firstKey();
            try {
                Files.deleteIfExists(oldest.getValue().file.toPath());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + oldest.getValue().file, e);
            }
            total -= size;
            deleted++;
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        allocator.close();
        appender.close();
        queue.close();
    }
}
