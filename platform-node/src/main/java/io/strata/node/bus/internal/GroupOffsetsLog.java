package io.strata.node.bus.internal;

import io.strata.node.log.LogConfig;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.DiskSpace;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer group's committed offsets as a compacted log, as Kafka keeps them in
 * {@code __consumer_offsets}: a commit is one batch appended to the group's {@link PartitionLog}
 * (one record per partition: key {@code topic:partition}, value the next offset to consume, 8 bytes
 * big-endian), so it is stored whole or not at all; the group's offsets are the log replayed in
 * order. Once the log has grown well past what the offsets take, a snapshot of all of them is
 * appended and everything before it deleted ({@link #compact}).
 *
 * <p>A group written by the previous version ({@code <group>.json}, rewritten whole at every commit)
 * is moved into the log at open: the offsets are appended and fsynced first, the JSON file deleted
 * after, so a crash in between finds both and copies the file again.
 *
 * <p>Threading: the group's actor appends, truncates and compacts; {@link #flush} (blocking) runs on
 * the blocking-I/O pool, beside appends.
 */
public final class GroupOffsetsLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetsLog.class);
    /** The log compacts once it is this many times what a snapshot of the offsets takes (and at least {@link #COMPACT_FLOOR}). */
    private static final int COMPACT_FACTOR = 4;
    private static final long COMPACT_FLOOR = 1 << 20;
    private static final int OFFSET_RECORD_BYTES = 64;

    private final PartitionLog log;
    private final Map<String, Map<Integer, Long>> recovered;
    /** Bytes of batches in the log since its start: what a compaction would replace. Actor only. */
    private long bytesSinceStart;

    private GroupOffsetsLog(PartitionLog log, Map<String, Map<Integer, Long>> recovered, long bytesSinceStart) {
        this.log = log;
        this.recovered = recovered;
        this.bytesSinceStart = bytesSinceStart;
    }

    /** What a group's JSON offsets file (the previous format) holds. */
    public record StoredOffsets(Map<String, Map<Integer, Long>> offsets) {}

    /**
     * Opens the group's log in {@code dir} and replays it, moving the offsets of {@code legacyFile}
     * into it first if the group has only that. Blocking.
     */
    public static GroupOffsetsLog open(Path dir, Path legacyFile, DiskSpace space, InstantSource clock) {
        // Read before anything is written: an unreadable file fails the open and stays as it is.
        Map<String, Map<Integer, Long>> legacy;
        try {
            legacy = Files.isRegularFile(legacyFile) ? AtomicFiles.readJson(legacyFile, StoredOffsets.class).offsets() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the offsets of the previous format in " + legacyFile, e);
        }
        // Five-minute files: compaction frees the disk a whole file at a time.
        PartitionLog log = PartitionLog.open(dir, LogConfig.of(RollCycles.FIVE_MINUTELY), space, clock);
        try {
            if (legacy != null) {
                // The file is deleted only once the log holds its offsets, and no commit is taken before:
                // while it exists, whatever the log holds is an unfinished copy of it.
                if (log.logEndOffset() > log.logStartOffset()) {
                    log.truncateTo(log.logStartOffset());
                }
                if (!legacy.isEmpty()) {
                    log.appendAsLeader(encode(legacy), 0);
                }
                log.flush();
                Files.delete(legacyFile);
                LOG.info("consumer group offsets {} moved into the log {}", legacyFile, dir);
            }
            Replayed replayed = replay(log);
            return new GroupOffsetsLog(log, replayed.offsets, replayed.bytes);
        } catch (IOException e) {
            log.close();
            throw new UncheckedIOException("cannot move the offsets of " + legacyFile + " into " + dir, e);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The offsets the log held at open: topic to partition to the next offset to consume. */
    public Map<String, Map<Integer, Long>> recovered() {
        return recovered;
    }

    /**
     * Appends a commit of {@code offsets} of {@code topic} (not yet durable: {@link #flush}) and
     * returns the log's end after it. Actor only.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full}, with nothing appended
     */
    public long append(String topic, Map<Integer, Long> offsets) {
        return append(Map.of(topic, offsets));
    }

    /** Appends a commit of offsets of several topics as one batch: durable whole or not at all. Actor only. */
    public long append(Map<String, Map<Integer, Long>> offsets) {
        MemoryRecords batch = encode(offsets);
        long end = log.appendAsLeader(batch, 0).nextOffset();
        bytesSinceStart += batch.sizeInBytes();
        return end;
    }

    /** Makes everything appended durable (fsync). Blocking: the blocking-I/O pool. */
    public void flush() {
        log.flush();
    }

    /** Removes what was appended from {@code offset} on: commits whose flush failed. Actor only. */
    public void truncateTo(long offset) {
        log.truncateTo(offset);
    }

    /** The log's end: what the next commit's first record gets. */
    public long endOffset() {
        return log.logEndOffset();
    }

    /**
     * When the log has grown well past what {@code committed} takes, appends all of it as one batch
     * and moves the log's start to it; {@link #releaseCompacted} then frees the files before it.
     * Only with every commit appended so far applied to {@code committed} (none waiting for its
     * flush), or the snapshot would leave one out. Actor only.
     *
     * @return whether it compacted
     * @throws io.strata.node.common.StrataException {@code storage_full}, with nothing changed
     */
    public boolean compactIfLarge(Map<String, Map<Integer, Long>> committed) {
        long partitions = committed.values().stream().mapToLong(Map::size).sum();
        if (bytesSinceStart < Math.max(COMPACT_FLOOR, COMPACT_FACTOR * OFFSET_RECORD_BYTES * partitions)) {
            return false;
        }
        long snapshotAt = log.logEndOffset();
        long snapshotBytes = 0;
        if (partitions > 0) {
            MemoryRecords snapshot = encode(committed);
            log.appendAsLeader(snapshot, 0);
            snapshotBytes = snapshot.sizeInBytes();
        }
        log.deleteRecordsBefore(snapshotAt);
        bytesSinceStart = snapshotBytes;
        return true;
    }

    /**
     * Forgets every committed offset: the log's start moves to its end (a marker in the log, so a
     * restart replays nothing before it); {@link #releaseCompacted} makes that durable and frees
     * the files. Actor only.
     */
    public void clear() {
        log.deleteRecordsBefore(log.logEndOffset());
        bytesSinceStart = 0;
    }

    /**
     * Makes the snapshot of the last {@link #compactIfLarge} (or the {@link #clear}) durable, then deletes the files wholly
     * before it (never before: a crash must find the offsets in one or the other). Blocking: the
     * blocking-I/O pool, in turn with the commits' flushes.
     */
    public void releaseCompacted() {
        log.flush();
        log.applyRetention(Duration.ZERO, 0);
    }

    private static MemoryRecords encode(Map<String, Map<Integer, Long>> offsets) {
        long count = offsets.values().stream().mapToLong(Map::size).sum();
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate((int) Math.min(1 << 20, 64 + count * OFFSET_RECORD_BYTES)),
                Compression.NONE, TimestampType.CREATE_TIME, 0);
        long now = System.currentTimeMillis();
        offsets.forEach((topic, partitions) -> partitions.forEach((partition, offset) ->
                builder.append(now, (topic + ":" + partition).getBytes(StandardCharsets.UTF_8),
                        ByteBuffer.allocate(Long.BYTES).putLong(0, offset).array())));
        return builder.build();
    }

    /** The offsets a log holds, and the bytes of its batches from its start. */
    private record Replayed(Map<String, Map<Integer, Long>> offsets, long bytes) {}

    private static Replayed replay(PartitionLog log) {
        Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
        long bytes = 0;
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            var data = log.read(next, 1 << 20);
            bytes += data.records().sizeInBytes();
            for (RecordBatch batch : data.records().batches()) {
                for (Record record : batch) {
                    if (record.offset() < next) {
                        continue;
                    }
                    String key = StandardCharsets.UTF_8.decode(record.key()).toString();
                    int colon = key.lastIndexOf(':');
                    offsets.computeIfAbsent(key.substring(0, colon), t -> new TreeMap<>())
                            .put(Integer.parseInt(key.substring(colon + 1)), record.value().getLong(record.value().position()));
                }
            }
            next = data.nextOffset();
        }
        return new Replayed(offsets, bytes);
    }

    @Override
    public void close() {
        log.close();
    }
}
