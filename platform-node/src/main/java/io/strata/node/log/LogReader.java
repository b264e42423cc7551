package io.strata.node.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.nio.ByteBuffer;

/**
 * A sequential reader of a {@link PartitionLog}: it keeps its Chronicle tailer where the last read
 * ended, so the next read from there starts without a lookup. Reads return the stored batch bytes
 * as they are; nothing is decoded but each batch's header.
 *
 * <p>Threading: one thread at a time (a consumer's session, a stream stage); when it moves to
 * another thread, the tailer is handed over as Chronicle allows. Close it when done.
 */
public final class LogReader implements AutoCloseable {

    /** The smallest buffer a read starts with: room for a few batches near the end of the log. */
    private static final int MIN_BUFFER = 8 << 10;

    private final PartitionLog log;
    private ExcerptTailer tailer;
    private Thread owner;
    /** The offset the tailer is positioned to read next, under {@link #positionedAt}'s generation; -1 when not positioned. */
    private long nextOffset = -1;
    private long positionedAt = -1;

    LogReader(PartitionLog log) {
        this.log = log;
    }

    /**
     * Reads whole batches from the one holding {@code offset}, up to {@code maxBytes} (at least one
     * batch whatever its size, as Kafka's fetch does), never past the high watermark.
     *
     * @throws OffsetOutOfRange for an offset before the log start or past the high watermark
     */
    public FetchData read(long offset, int maxBytes) {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #read(long, int)}, and no batch that starts at or past {@code stopAt}: for a reader
     * that wants records up to an offset (at most so many records), not a whole byte budget's worth.
     */
    public FetchData read(long offset, int maxBytes, long stopAt) {
        log.structure().readLock().lock();
        try {
            log.checkOpen();
            long start = log.logStartOffset();
            long visible = log.highWatermark();
            long end = log.logEndOffset();
            if (offset < start || offset > visible) {
                throw new OffsetOutOfRange(offset, start, visible);
            }
            if (offset == visible) {
                return new FetchData(MemoryRecords.EMPTY, offset, start, visible, end);
            }
            ExcerptTailer positioned = positionFor(offset, start, visible);
            ByteBuffer out = null;
            int used = 0;
            long next = offset;
            // Nothing left to read: the tailer does not look further (past the end of its file it would open the next).
            long until = Math.min(visible, stopAt);
            while (next < until) {
                try (DocumentContext dc = positioned.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> in = dc.wire().bytes();
                    long at = in.readPosition();
                    int length = (int) in.readRemaining();
                    // Chronicle's bytes are little-endian; a batch header is big-endian.
                    long base = Long.reverseBytes(in.readLong(at));
                    if (base == LogMarker.MARKER_BASE_OFFSET || log.isDead(dc.index())) {
                        continue;
                    }
                    long last = base + Integer.reverseBytes(in.readInt(at + DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET));
                    if (last < offset) {
                        continue;
                    }
                    if (last >= visible || (used > 0 && (used + length > maxBytes || base >= stopAt))) {
                        dc.rollbackOnClose();
                        break;
                    }
                    out = room(out, used, length, maxBytes, Math.min(visible, stopAt), offset);
                    // Into the heap array in bulk: reading into a ByteBuffer goes a byte at a time.
                    in.read(out.array(), out.arrayOffset() + used, length);
                    used += length;
                    next = last + 1;
                }
            }
            nextOffset = next;
            positionedAt = log.generation();
            ByteBuffer records = out == null ? ByteBuffer.allocate(0) : out.limit(used).position(0);
            return new FetchData(MemoryRecords.readableRecords(records), next, start, visible, end);
        } finally {
            log.structure().readLock().unlock();
        }
    }

    /**
     * Whether a {@link #read} from {@code offset} up to a high watermark whose last record is in
     * cycle {@code cycleOfVisible} reads only the file this reader's tailer is in, from where the
     * last read left it: no lookup, no file to open or map.
     */
    boolean readsInPlace(long offset, int cycleOfVisible) {
        return tailer != null && offset == nextOffset && positionedAt == log.generation() && tailer.cycle() == cycleOfVisible;
    }

    /** The tailer, at the entry that holds {@code offset} or before it. */
    private ExcerptTailer positionFor(long offset, long start, long visible) {
        if (tailer == null) {
            tailer = log.queue().createTailer();
            owner = Thread.currentThread();
        } else if (owner != Thread.currentThread()) {
            tailer.singleThreadedCheckReset();
            owner = Thread.currentThread();
        }
        if (offset == nextOffset && positionedAt == log.generation()) {
            return tailer;
        }
        long position = log.index().floorPosition(offset);
        if (position < 0 || !tailer.moveToIndex(position)) {
            throw new OffsetOutOfRange(offset, start, visible);
        }
        return tailer;
    }

    /**
     * A buffer with room for {@code length} more bytes after {@code used}: the first sized for the
     * whole read (the records from {@code offset} up to {@code until}, the high watermark or where
     * the read stops, by the log's average record size, with some to spare, within
     * {@code maxBytes}) so that a read seldom grows it and copies what it holds.
     */
    private ByteBuffer room(ByteBuffer out, int used, int length, int maxBytes, long until, long offset) {
        if (out == null) {
            long expected = log.estimatedBytes(offset, until);
            long size = Math.min(maxBytes, Math.max(MIN_BUFFER, expected + expected / 8));
            return ByteBuffer.allocate((int) Math.max(length, size));
        }
        if (out.capacity() - used >= length) {
            return out;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(used + length, Math.min(maxBytes, out.capacity() * 2)));
        bigger.put(out.limit(used).position(0));
        return bigger;
    }

    @Override
    public void close() {
        if (tailer != null) {
            if (owner != Thread.currentThread()) {
                tailer.singleThreadedCheckReset();
            }
            tailer.close();
            tailer = null;
        }
    }
}
