package io.strata.node.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.strata.node.log.FetchData;
import io.strata.node.log.LogConfig;
import io.strata.node.log.PartitionLog;
import net.openhft.chronicle.queue.RollCycle;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A store's write-ahead log of Protobuf entries on a {@link PartitionLog}: each entry is one record
 * (its value the entry's bytes), so an entry has a dense offset, a CRC and the log's recovery,
 * space checks and cut-back of a corrupt tail. A KV partition logs its mutations in one; a table
 * shard its row batches. A directory written by a version before the partition log is migrated
 * when it is first opened ({@link EntryLogMigration}).
 *
 * <p>Threading: one owner at a time (the partition actor, or the recovery task before it hands
 * the log over) calls the appends; {@link #deleteBefore} may run on another thread.
 *
 * <p>Durability: {@link #append} returns once the entry is in the memory-mapped file, which
 * survives the death of the process; {@link #currentFile()} is what a caller fsyncs to survive
 * power loss.
 *
 * <p>Space: the partition log backs an append's bytes before writing them; when there is no room
 * the append throws {@code storage_full} and the log is as it was.
 */
public final class EntryLog<T extends MessageLite> implements AutoCloseable {

    /** What a batch adds around its records, and a record around its value: kept free of the largest entry. */
    private static final int FRAMING_BYTES = 256;
    private static final int REPLAY_READ_BYTES = 8 << 20;

    private final PartitionLog log;
    private final Parser<T> parser;
    private final InstantSource clock;
    private final int maxBatchBytes;

    private EntryLog(PartitionLog log, Parser<T> parser, InstantSource clock, int maxBatchBytes) {
        this.log = log;
        this.parser = parser;
        this.clock = clock;
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, whose entries {@code parser} reads,
     * migrating a log of the older format first. Blocking file I/O.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when a new log's files
     *     would take the reserve
     */
    public static <T extends MessageLite> EntryLog<T> open(Path dir, RollCycle rollCycle, Parser<T> parser, DiskSpace space) {
        LogConfig config = LogConfig.of(rollCycle).withMaxBatchBytes(PartitionLog.maxBatchBytes());
        InstantSource clock = InstantSource.system();
        EntryLogMigration.migrateIfNeeded(dir, config, space, clock);
        return new EntryLog<>(PartitionLog.open(dir, config, space, clock), parser, clock, config.maxBatchBytes());
    }

    /** Largest entry, in bytes, that the log accepts. */
    public static long maxEntryBytes() {
        return PartitionLog.maxBatchBytes() - FRAMING_BYTES;
    }

    /**
     * Appends an entry and returns its offset.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when there is no room for
     *     it; nothing was written
     */
    public long append(T entry) {
        return appendAll(List.of(entry));
    }

    /**
     * Appends entries, in as few batches as fit, in one write, and returns the offset of the last.
     * Their bytes are backed at once, so a refusal comes before the first.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when there is no room for
     *     them; nothing was written
     * @throws IllegalStateException when the log fails after some of them were written (another
     *     program filled the filesystem as they crossed into a new cycle file): the owner must
     *     recover from the log
     */
    public long appendAll(List<T> entries) {
        List<byte[]> encoded = new ArrayList<>(entries.size());
        for (T entry : entries) {
            encoded.add(entry.toByteArray());
        }
        return log.appendAsLeader(encode(encoded, clock.millis(), maxBatchBytes), 0).lastOffset();
    }

    /** Encodes entries as v2 record batches of at most {@code maxBatchBytes} each (one per entry at worst), offsets from 0. */
    static MemoryRecords encode(List<byte[]> entries, long timestamp, int maxBatchBytes) {
        if (entries.size() == 1) {
            return batch(entries, 0, 1, timestamp);
        }
        List<ByteBuffer> batches = new ArrayList<>();
        int from = 0;
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            long size = entries.get(i).length + FRAMING_BYTES;
            if (i > from && bytes + size > maxBatchBytes) {
                batches.add(batch(entries, from, i, timestamp).buffer());
                from = i;
                bytes = 0;
            }
            bytes += size;
        }
        MemoryRecords last = batch(entries, from, entries.size(), timestamp);
        if (batches.isEmpty()) {
            return last;
        }
        batches.add(last.buffer());
        int total = batches.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(total);
        batches.forEach(all::put);
        return MemoryRecords.readableRecords(all.flip());
    }

    private static MemoryRecords batch(List<byte[]> entries, int from, int to, long timestamp) {
        int bytes = FRAMING_BYTES;
        for (int i = from; i < to; i++) {
            bytes += entries.get(i).length + 32;
        }
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(bytes), Compression.NONE,
                TimestampType.CREATE_TIME, 0);
        for (int i = from; i < to; i++) {
            builder.append(timestamp, null, entries.get(i));
        }
        return builder.build();
    }

    /** The file the last append went to: the one to fsync. Owner only. */
    public File currentFile() {
        return log.currentFile();
    }

    /** The offset the next entry gets. */
    public long logEndOffset() {
        return log.logEndOffset();
    }

    /**
     * Feeds every entry after the one at {@code afterOffset} (or from the log's start when it is
     * negative) to {@code consumer}, and returns the offset of the last entry read (or
     * {@code afterOffset} when there was none).
     *
     * @throws IllegalStateException when the log does not hold the entry after {@code afterOffset}
     *     (it starts later or ends before it) or an entry is unreadable: starting with a silent
     *     gap would lose acknowledged writes
     */
    public long replayAfter(long afterOffset, Consumer<T> consumer) {
        long next = afterOffset < 0 ? log.logStartOffset() : afterOffset + 1;
        if (next < log.logStartOffset() || next > log.logEndOffset()) {
            throw new IllegalStateException("log " + log.dir() + " holds offsets " + log.logStartOffset() + ".."
                    + log.logEndOffset() + ", not offset " + next + " where its snapshot ends");
        }
        long last = afterOffset;
        while (next < log.logEndOffset()) {
            FetchData data = log.read(next, REPLAY_READ_BYTES);
            if (data.isEmpty()) {
                break;
            }
            for (RecordBatch batch : data.records().batches()) {
                for (Record record : batch) {
                    if (record.offset() < next) {
                        continue;
                    }
                    try {
                        consumer.accept(parser.parseFrom(record.value()));
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalStateException("log " + log.dir() + " entry at offset " + record.offset()
                                + " is unreadable", e);
                    }
                    last = record.offset();
                }
            }
            next = data.nextOffset();
        }
        return last;
    }

    /**
     * Deletes whole files whose every entry lies before {@code offset} (a snapshot covers them),
     * never the one being written. Blocking file I/O; any thread, one call at a time.
     *
     * @return the number of files deleted
     */
    public int deleteBefore(long offset) {
        return log.deleteFilesBefore(offset);
    }

    public Path dir() {
        return log.dir();
    }

    /** Flushes what was appended and closes the log. Blocking file I/O. */
    @Override
    public void close() {
        log.close();
    }
}
